package io.strand.operator.cluster.lifecycle;

import io.strand.operator.api.KafkaClusterDrainStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/** Observations for planner tests: a healthy cluster of n brokers to start from, then changed piece by piece. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    static final Instant LONG_AGO = NOW.minusSeconds(600);
    static final List<Integer> VOTERS = List.of(0, 1, 2);
    static final String HASH = "h1";

    private Fixtures() {
    }

    static KafkaState.Partition partition(String topic, int p, List<Integer> replicas) {
        return new KafkaState.Partition(new PartitionId(topic, p), replicas, replicas, replicas.get(0));
    }

    static KafkaState.Partition partition(String topic, int p, List<Integer> replicas, List<Integer> isr, int leader) {
        return new KafkaState.Partition(new PartitionId(topic, p), replicas, isr, leader);
    }

    static Map<Integer, KafkaState.Broker> brokers(int n) {
        Map<Integer, KafkaState.Broker> brokers = new HashMap<>();
        IntStream.range(0, n).forEach(id -> brokers.put(id, new KafkaState.Broker(id, null, false)));
        return brokers;
    }

    static KafkaState kafka(int brokers, List<KafkaState.Partition> partitions) {
        return new KafkaState("cid", 0, brokers(brokers), partitions, Set.of());
    }

    static List<PodState> pods(int n, String hash) {
        List<PodState> pods = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> pods.add(new PodState("c-broker-" + i, i, LONG_AGO, false, hash)));
        return pods;
    }

    static Observation observe(int wanted, int stsReplicas, List<PodState> pods, KafkaState kafka, KafkaClusterDrainStatus drain) {
        return new Observation(wanted, VOTERS, stsReplicas, HASH, pods, Optional.ofNullable(kafka),
                kafka == null ? "TimeoutException" : null, drain, NOW);
    }

    /** Partitions of one topic spread round-robin over brokers 0..n-1, each with {@code rf} replicas. */
    static List<KafkaState.Partition> spread(String topic, int partitions, int rf, int brokers) {
        List<KafkaState.Partition> result = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < rf; r++) {
                replicas.add((p + r) % brokers);
            }
            result.add(partition(topic, p, replicas));
        }
        return result;
    }
}
