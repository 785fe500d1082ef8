package io.strand.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {
    private static List<BrokerRegistration> brokers(int count, int zones) {
        return IntStream.rangeClosed(1, count)
                .mapToObj(id -> new BrokerRegistration(id, "h", 9092, zones == 0 ? null : "zone-" + (id % zones), 1, false, false)).toList();
    }

    @Test
    void replicasAreDistinctAndLeadersSpreadEvenly() {
        List<List<Integer>> assignment = ReplicaPlacement.place(brokers(5, 0), 50, 3, 0);
        assertThat(assignment).allSatisfy(r -> assertThat(r).hasSize(3).doesNotHaveDuplicates());
        Map<Integer, Long> leaders = assignment.stream().collect(Collectors.groupingBy(r -> r.get(0), Collectors.counting()));
        assertThat(leaders.values()).containsOnly(10L);
        Map<Integer, Integer> replicas = new HashMap<>();
        assignment.forEach(r -> r.forEach(b -> replicas.merge(b, 1, Integer::sum)));
        assertThat(replicas.values()).allSatisfy(c -> assertThat(c).isBetween(27, 33));
    }

    @Test
    void eachPartitionSpansAsManyZonesAsPossible() {
        List<BrokerRegistration> brokers = brokers(6, 3);
        Map<Integer, String> zoneOf = brokers.stream().collect(Collectors.toMap(BrokerRegistration::id, BrokerRegistration::rack));
        List<List<Integer>> assignment = ReplicaPlacement.place(brokers, 30, 3, 7);
        assertThat(assignment).allSatisfy(r -> assertThat(r.stream().map(zoneOf::get).distinct()).hasSize(3));
    }

    @Test
    void replicationFactorAboveTheBrokerCountIsRefused() {
        assertThatThrownBy(() -> ReplicaPlacement.place(brokers(2, 0), 1, 3, 0)).hasMessageContaining("larger than available brokers: 2");
    }
}
