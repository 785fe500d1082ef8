package io.strand.broker.server.cluster;

import java.util.List;

/**
 * Replication state of one partition. {@code leaderEpoch} increases with every leader change (followers use it to
 * find where their log diverges); {@code partitionEpoch} increases with every change at all, so a leader's ISR
 * update based on stale state is refused. During a reassignment {@code replicas} holds old and new replicas, with
 * {@code adding} and {@code removing} saying which is which. Immutable.
 */
public record PartitionState(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch,
                             List<Integer> adding, List<Integer> removing) {
    public static final int NO_LEADER = -1;

    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
    }

    public static PartitionState initial(List<Integer> replicas, List<Integer> isr, int leader) {
        return new PartitionState(replicas, isr, leader, 0, 0, List.of(), List.of());
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public boolean reassigning() {
        return !adding.isEmpty() || !removing.isEmpty();
    }

    /** The replicas the partition will have once any reassignment completes. */
    public List<Integer> targetReplicas() {
        return replicas.stream().filter(r -> !removing.contains(r)).toList();
    }

    /** A new leader (or none) and ISR; the leader epoch moves only when the leader does. */
    public PartitionState withLeaderAndIsr(int newLeader, List<Integer> newIsr) {
        int epoch = newLeader != leader ? leaderEpoch + 1 : leaderEpoch;
        return new PartitionState(replicas, newIsr, newLeader, epoch, partitionEpoch + 1, adding, removing);
    }

    public PartitionState withReplicas(List<Integer> newReplicas, List<Integer> newIsr, List<Integer> newAdding, List<Integer> newRemoving,
                                       int newLeader) {
        int epoch = newLeader != leader ? leaderEpoch + 1 : leaderEpoch;
        return new PartitionState(newReplicas, newIsr, newLeader, epoch, partitionEpoch + 1, newAdding, newRemoving);
    }
}
