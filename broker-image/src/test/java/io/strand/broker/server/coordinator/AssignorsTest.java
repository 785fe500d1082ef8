package io.strand.broker.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class AssignorsTest {
    private final Uuid t1 = Uuid.randomUuid();
    private final Uuid t2 = Uuid.randomUuid();

    @Test
    void uniformBalancesAndCoversEveryPartitionOnce() {
        var result = Assignors.uniform(Map.of("a", Set.of(t1, t2), "b", Set.of(t1, t2), "c", Set.of(t1, t2)), Map.of(t1, 4, t2, 3), Map.of());
        assertThat(result.values().stream().mapToInt(AssignorsTest::count)).allMatch(n -> n == 2 || n == 3);
        assertCoveredOnce(result, Map.of(t1, 4, t2, 3));
    }

    @Test
    void uniformIsStickyWhenAMemberJoins() {
        var before = Assignors.uniform(Map.of("a", Set.of(t1), "b", Set.of(t1)), Map.of(t1, 6), Map.of());
        var after = Assignors.uniform(Map.of("a", Set.of(t1), "b", Set.of(t1), "c", Set.of(t1)), Map.of(t1, 6), before);
        assertThat(after.values().stream().mapToInt(AssignorsTest::count)).containsOnly(2);
        // a and b only lose partitions; nothing moves between them
        assertThat(before.get("a").get(t1)).containsAll(after.get("a").get(t1));
        assertThat(before.get("b").get(t1)).containsAll(after.get("b").get(t1));
        assertCoveredOnce(after, Map.of(t1, 6));
    }

    @Test
    void uniformOnlyAssignsSubscribedTopics() {
        var result = Assignors.uniform(Map.of("a", Set.of(t1), "b", Set.of(t2)), Map.of(t1, 2, t2, 2), Map.of());
        assertThat(result.get("a")).containsOnlyKeys(t1);
        assertThat(result.get("b")).containsOnlyKeys(t2);
    }

    @Test
    void rangeGivesContiguousRangesInMemberOrder() {
        var result = Assignors.range(Map.of("b", Set.of(t1), "a", Set.of(t1)), Map.of(t1, 5));
        assertThat(result.get("a").get(t1)).containsExactly(0, 1, 2);
        assertThat(result.get("b").get(t1)).containsExactly(3, 4);
    }

    private static int count(Map<Uuid, Set<Integer>> assignment) {
        return assignment.values().stream().mapToInt(Set::size).sum();
    }

    private static void assertCoveredOnce(Map<String, Map<Uuid, Set<Integer>>> result, Map<Uuid, Integer> counts) {
        counts.forEach((topic, n) -> {
            Set<Integer> seen = new HashSet<>();
            int total = 0;
            for (var member : result.values()) {
                Set<Integer> parts = member.getOrDefault(topic, Set.of());
                seen.addAll(parts);
                total += parts.size();
            }
            assertThat(total).isEqualTo(n);
            assertThat(seen).hasSize(n);
        });
    }
}
