package io.strand.operator.cluster.lifecycle;

import static io.strand.operator.cluster.lifecycle.Fixtures.partition;
import static io.strand.operator.cluster.lifecycle.Fixtures.spread;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {

    @Test
    void drainMovesEveryReplicaOffTheLeavingBrokersKeepingTheReplicationFactorAndPosition() {
        List<KafkaState.Partition> partitions = spread("t", 10, 3, 5);
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.drain(partitions, Set.of(3, 4), List.of(0, 1, 2), Map.of());

        List<KafkaState.Partition> after = apply(partitions, moves);
        assertThat(after).allSatisfy(p -> {
            assertThat(p.replicas()).hasSize(3).doesNotContain(3, 4).doesNotHaveDuplicates();
        });
        // only partitions that touched 3 or 4 moved; replicas on staying brokers kept their slot
        assertThat(moves.keySet()).allSatisfy(id -> assertThat(partitions.get(id.partition()).replicas()).containsAnyOf(3, 4));
        moves.forEach((id, target) -> {
            List<Integer> before = partitions.get(id.partition()).replicas();
            for (int i = 0; i < before.size(); i++) {
                if (before.get(i) < 3) {
                    assertThat(target.get(i)).isEqualTo(before.get(i));
                }
            }
        });
    }

    @Test
    void drainSpreadsTheMovedReplicasOverTheLeastLoadedBrokers() {
        List<KafkaState.Partition> partitions = List.of(partition("t", 0, List.of(0, 3)), partition("t", 1, List.of(1, 3)),
                partition("t", 2, List.of(3, 0)), partition("t", 3, List.of(3, 1)));
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.drain(partitions, Set.of(3), List.of(0, 1, 2), Map.of());
        Map<Integer, Integer> load = load(apply(partitions, moves));
        assertThat(load.get(2)).isEqualTo(2);
        assertThat(load.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isLessThanOrEqualTo(3);
    }

    @Test
    void drainPrefersARackThePartitionDoesNotUseYet() {
        Map<Integer, String> racks = Map.of(0, "a", 1, "a", 2, "b", 3, "b");
        // replica 0 is on rack a; broker 3 (rack b) leaves: 2 (rack b) keeps the spread although 1 carries less
        List<KafkaState.Partition> partitions = List.of(partition("t", 0, List.of(0, 3)), partition("u", 0, List.of(2)));
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.drain(partitions, Set.of(3), List.of(0, 1, 2), racks);
        assertThat(moves).containsEntry(new PartitionId("t", 0), List.of(0, 2));
    }

    @Test
    void drainLeavesOutPartitionsWiderThanTheRemainingBrokers() {
        List<KafkaState.Partition> partitions = List.of(partition("wide", 0, List.of(0, 1, 2, 3)));
        assertThat(ReplicaPlacement.drain(partitions, Set.of(3), List.of(0, 1, 2), Map.of())).isEmpty();
    }

    @Test
    void balanceGivesNewBrokersAFairShareOfReplicasAndLeaders() {
        List<KafkaState.Partition> partitions = spread("t", 12, 2, 3);
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.balance(partitions, List.of(0, 1, 2, 3, 4), Map.of());
        List<KafkaState.Partition> after = apply(partitions, moves);
        Map<Integer, Integer> load = load(after);
        assertThat(load.keySet()).contains(3, 4);
        assertThat(load.values().stream().mapToInt(Integer::intValue).max().orElseThrow()
                - load.values().stream().mapToInt(Integer::intValue).min().orElseThrow()).isLessThanOrEqualTo(1);
        Set<Integer> leaders = new HashSet<>();
        after.forEach(p -> leaders.add(p.replicas().get(0)));
        assertThat(leaders).as("preferred leaders").contains(3, 4);
        assertThat(after).allSatisfy(p -> assertThat(p.replicas()).hasSize(2).doesNotHaveDuplicates());
    }

    @Test
    void balanceSpreadsEachTopicOnItsOwn() {
        // balanced over all topics together (7 or 6 replicas each), yet 'events' is piled on brokers 0..2
        List<KafkaState.Partition> partitions = new ArrayList<>(spread("events", 12, 2, 3));
        for (int p = 0; p < 3; p++) {
            partitions.add(partition("__consumer_offsets", p, List.of(3, 4, p)));
        }
        for (int p = 0; p < 3; p++) {
            partitions.add(partition("other", p, List.of(p % 2 == 0 ? 3 : 4)));
        }
        List<Integer> brokers = List.of(0, 1, 2, 3, 4);
        List<KafkaState.Partition> after = apply(partitions, ReplicaPlacement.balance(partitions, brokers, Map.of()));
        after = apply(after, ReplicaPlacement.balanceLeaders(after, brokers));
        for (String topic : List.of("events", "__consumer_offsets")) {
            List<KafkaState.Partition> ofTopic = after.stream().filter(p -> p.id().topic().equals(topic)).toList();
            Map<Integer, Integer> load = load(ofTopic);
            Map<Integer, Integer> leads = new HashMap<>();
            ofTopic.forEach(p -> leads.merge(p.replicas().get(0), 1, Integer::sum));
            assertThat(spreadOf(load, brokers)).as(topic + " replicas " + load).isLessThanOrEqualTo(1);
            assertThat(spreadOf(leads, brokers)).as(topic + " preferred leaders " + leads).isLessThanOrEqualTo(1);
        }
        assertThat(after).allSatisfy(p -> assertThat(p.replicas()).doesNotHaveDuplicates());
        assertThat(ReplicaPlacement.balance(after, brokers, Map.of())).as("stable").isEmpty();
        assertThat(ReplicaPlacement.balanceLeaders(after, brokers)).as("stable").isEmpty();
    }

    @Test
    void balanceLeadersOnlyReordersReplicas() {
        List<KafkaState.Partition> partitions = List.of(partition("t", 0, List.of(0, 1)), partition("t", 1, List.of(0, 2)),
                partition("t", 2, List.of(0, 1)), partition("t", 3, List.of(1, 2)));
        Map<PartitionId, List<Integer>> reorders = ReplicaPlacement.balanceLeaders(partitions, List.of(0, 1, 2));
        assertThat(reorders).isNotEmpty();
        List<KafkaState.Partition> after = apply(partitions, reorders);
        for (int i = 0; i < partitions.size(); i++) {
            assertThat(after.get(i).replicas()).containsExactlyInAnyOrderElementsOf(partitions.get(i).replicas());
        }
        Map<Integer, Integer> leads = new HashMap<>();
        after.forEach(p -> leads.merge(p.replicas().get(0), 1, Integer::sum));
        assertThat(spreadOf(leads, List.of(0, 1, 2))).isLessThanOrEqualTo(1);
    }

    private static int spreadOf(Map<Integer, Integer> counts, List<Integer> brokers) {
        return brokers.stream().mapToInt(b -> counts.getOrDefault(b, 0)).max().orElseThrow()
                - brokers.stream().mapToInt(b -> counts.getOrDefault(b, 0)).min().orElseThrow();
    }

    @Test
    void balanceIsEmptyWhenNoBrokerCarriesTwoMoreThanAnother() {
        assertThat(ReplicaPlacement.balance(spread("t", 10, 3, 5), List.of(0, 1, 2, 3, 4), Map.of())).isEmpty();
        assertThat(ReplicaPlacement.balance(List.of(partition("t", 0, List.of(0, 1, 2))), List.of(0, 1, 2, 3), Map.of())).isEmpty();
    }

    @Test
    void balanceNeverPutsTwoReplicasOfAPartitionOnOneRack() {
        Map<Integer, String> racks = Map.of(0, "a", 1, "b", 2, "a", 3, "b");
        List<KafkaState.Partition> partitions = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            partitions.add(partition("t", p, p % 2 == 0 ? List.of(0, 1) : List.of(1, 0)));
        }
        List<KafkaState.Partition> after = apply(partitions, ReplicaPlacement.balance(partitions, List.of(0, 1, 2, 3), racks));
        assertThat(after).allSatisfy(p -> assertThat(p.replicas().stream().map(racks::get).distinct()).hasSize(2));
        assertThat(load(after)).containsKeys(2, 3);
    }

    private static List<KafkaState.Partition> apply(List<KafkaState.Partition> partitions, Map<PartitionId, List<Integer>> moves) {
        return partitions.stream().map(p -> moves.containsKey(p.id()) ? partition(p.id().topic(), p.id().partition(), moves.get(p.id())) : p).toList();
    }

    private static Map<Integer, Integer> load(List<KafkaState.Partition> partitions) {
        Map<Integer, Integer> load = new HashMap<>();
        partitions.forEach(p -> p.replicas().forEach(r -> load.merge(r, 1, Integer::sum)));
        return load;
    }
}
