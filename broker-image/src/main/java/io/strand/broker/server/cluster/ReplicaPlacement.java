package io.strand.broker.server.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Where new partitions' replicas go: spread over the active brokers round-robin, each partition's replicas on as many
 * different racks (zones) as there are, and leaders spread evenly. Brokers are ordered by alternating racks (as
 * Kafka does), so consecutive picks land in different zones. Pure; thread-safe.
 */
public final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /**
     * @param startIndex where the round-robin starts (callers pass e.g. the topic count, so topics don't all lead on one broker)
     */
    public static List<List<Integer>> place(List<BrokerRegistration> brokers, int partitions, int replicationFactor, int startIndex) {
        if (replicationFactor > brokers.size()) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor + " larger than available brokers: " + brokers.size() + ".");
        }
        List<BrokerRegistration> ordered = rackAlternated(brokers);
        int n = ordered.size();
        List<List<Integer>> assignment = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int first = Math.floorMod(startIndex + p, n);
            // a shift that changes every full round, so the follower pattern is not the same for all leaders
            int shift = 1 + Math.floorMod((startIndex + p) / n, Math.max(1, n - 1));
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            Set<String> racksUsed = new LinkedHashSet<>();
            replicas.add(ordered.get(first).id());
            racksUsed.add(rackOf(ordered.get(first)));
            int distinctRacks = (int) ordered.stream().map(ReplicaPlacement::rackOf).distinct().count();
            for (int step = 0; replicas.size() < replicationFactor && step < 2 * n; step++) {
                BrokerRegistration candidate = ordered.get(Math.floorMod(first + shift + step, n));
                if (replicas.contains(candidate.id())) {
                    continue;
                }
                boolean newRack = !racksUsed.contains(rackOf(candidate));
                if (newRack || racksUsed.size() >= distinctRacks || step >= n) {
                    replicas.add(candidate.id());
                    racksUsed.add(rackOf(candidate));
                }
            }
            assignment.add(replicas);
        }
        return assignment;
    }

    static List<BrokerRegistration> rackAlternated(List<BrokerRegistration> brokers) {
        Map<String, List<BrokerRegistration>> byRack = new LinkedHashMap<>();
        brokers.stream().sorted(Comparator.comparing(ReplicaPlacement::rackOf).thenComparingInt(BrokerRegistration::id))
                .forEach(b -> byRack.computeIfAbsent(rackOf(b), r -> new ArrayList<>()).add(b));
        List<BrokerRegistration> ordered = new ArrayList<>(brokers.size());
        for (int round = 0; ordered.size() < brokers.size(); round++) {
            for (List<BrokerRegistration> rack : byRack.values()) {
                if (round < rack.size()) {
                    ordered.add(rack.get(round));
                }
            }
        }
        return ordered;
    }

    private static String rackOf(BrokerRegistration broker) {
        return broker.rack() == null ? "" : broker.rack();
    }
}
