package io.strand.operator.cluster.lifecycle;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The brokers' own view of the cluster, through the Admin API, at one moment.
 *
 * @param controller the controller's node id, or -1 when there is none
 * @param brokers every registered broker, fenced or not, by node id
 * @param partitions every partition of every topic, internal ones included
 * @param reassigning partitions with a reassignment in progress (their replica lists still hold the old replicas)
 */
public record KafkaState(String clusterId, int controller, Map<Integer, Broker> brokers, List<Partition> partitions, Set<PartitionId> reassigning) {

    public KafkaState {
        brokers = Map.copyOf(brokers);
        partitions = List.copyOf(partitions);
        reassigning = Set.copyOf(reassigning);
    }

    /** @param rack {@code broker.rack}, or null */
    public record Broker(int id, String rack, boolean fenced) {
    }

    /**
     * @param replicas in preferred order: the first is the preferred leader
     * @param leader the leader's id, or -1 when the partition has none (offline)
     */
    public record Partition(PartitionId id, List<Integer> replicas, List<Integer> isr, int leader) {

        public Partition {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }

        public boolean underReplicated() {
            return !isr.containsAll(replicas);
        }

        public boolean offline() {
            return leader < 0;
        }
    }

    public boolean active(int broker) {
        return Optional.ofNullable(brokers.get(broker)).map(b -> !b.fenced()).orElse(false);
    }

    /** How many replicas each broker holds. */
    public int replicasOn(int broker) {
        return (int) partitions.stream().filter(p -> p.replicas().contains(broker)).count();
    }
}
