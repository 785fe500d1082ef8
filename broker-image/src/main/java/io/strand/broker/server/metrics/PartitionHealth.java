package io.strand.broker.server.metrics;

import io.strand.broker.server.cluster.ClusterImage;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.List;

/** The pure rules behind the replication and lag gauges, kept apart so they can be tested without a broker. */
final class PartitionHealth {
    private PartitionHealth() {
    }

    /**
     * Kafka's UnderReplicatedPartitions: counted by the leader only (so a cluster-wide sum counts each partition once),
     * against the replication factor without replicas a reassignment is still adding (they are not expected in sync yet).
     */
    static boolean underReplicated(PartitionState state, int brokerId) {
        return state.leader() == brokerId && state.isr().size() < state.replicas().size() - state.adding().size();
    }

    /** Kafka's OfflinePartitionsCount: partitions without a leader in the cluster image. */
    static int offlinePartitions(ClusterImage image) {
        int offline = 0;
        for (TopicMetadata topic : image.topics().values()) {
            for (PartitionState p : topic.partitions()) {
                if (!p.hasLeader()) {
                    offline++;
                }
            }
        }
        return offline;
    }

    /** An applied ISR change removed a member (one shrink event, however many left, as Kafka counts it). */
    static boolean shrank(List<Integer> before, List<Integer> after) {
        return !after.containsAll(before);
    }

    static boolean expanded(List<Integer> before, List<Integer> after) {
        return !before.containsAll(after);
    }

    /**
     * Records a group has yet to consume: from its committed offset to the high watermark (what consumers can read,
     * which is also what ListOffsets(latest) and kafka-consumer-groups report). Never negative: a commit may run ahead
     * of a follower's view of the high watermark, and a truncated log may end below an old commit.
     */
    static long lag(long committedOffset, long highWatermark) {
        return Math.max(0, highWatermark - committedOffset);
    }
}
