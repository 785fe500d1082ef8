package io.strand.broker.server.relay;

import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.cluster.ClusterImage;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/** Leaders and broker addresses from this broker's latest metadata image. Thread-safe (images are immutable). */
final class ClusterLeaders implements LeaderLookup {
    private final ClusterMetadata metadata;

    ClusterLeaders(ClusterMetadata metadata) {
        this.metadata = metadata;
    }

    @Override
    public int leader(String topic, Uuid topicId, int partition) {
        ClusterImage image = metadata.image();
        Optional<TopicMetadata> found = topicId != null && !Uuid.ZERO_UUID.equals(topicId) ? image.topic(topicId) : image.topic(topic);
        if (found.isEmpty() || partition < 0 || partition >= found.get().partitions().size()) {
            return -1;
        }
        PartitionState state = found.get().partitions().get(partition);
        return state.hasLeader() && broker(state.leader()) != null ? state.leader() : -1;
    }

    /** An unfenced broker's registration (its ordinary listener), or null. */
    BrokerRegistration broker(int id) {
        BrokerRegistration broker = metadata.image().brokers().get(id);
        return broker == null || broker.fenced() ? null : broker;
    }
}
