package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.TopicMetadata;
import io.strand.broker.server.log.Partition;
import org.apache.kafka.common.protocol.Errors;

/** Which partition requests this broker may serve: only those it leads, as Kafka clients expect. */
final class Leadership {
    private Leadership() {
    }

    /** This broker's replica if it leads the partition, else null with the reason in {@link #error}. */
    static Partition leader(BrokerContext broker, String topic, int partition) {
        Partition local = broker.logs().partition(topic, partition);
        return local != null && local.isLeader() ? local : null;
    }

    /** Why {@link #leader} returned null: the partition does not exist, or another broker leads it. */
    static Errors error(BrokerContext broker, String topic, int partition) {
        TopicMetadata metadata = broker.logs().topicMetadata(topic);
        if (metadata == null || partition < 0 || partition >= metadata.partitions().size()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        return metadata.partitions().get(partition).hasLeader() ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.LEADER_NOT_AVAILABLE;
    }
}
