package io.strand.broker.server.coordinator;

import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.TopicInfo;
import java.util.Collection;
import org.apache.kafka.common.Uuid;

/** The topic metadata the coordinator needs (subscriptions, topic ids); a seam so tests need no LogManager. Thread-safe. */
interface TopicsView {
    /** Null when the topic does not exist. */
    ConsumerGroup.TopicMetadata topic(String name);

    /** Null when no topic has this id. */
    String nameOf(Uuid id);

    Collection<String> names();

    static TopicsView of(LogManager logs) {
        return new TopicsView() {
            @Override
            public ConsumerGroup.TopicMetadata topic(String name) {
                TopicInfo info = logs.topic(name);
                return info == null ? null : new ConsumerGroup.TopicMetadata(info.id(), info.partitions());
            }

            @Override
            public String nameOf(Uuid id) {
                TopicInfo info = logs.topic(id);
                return info == null ? null : info.name();
            }

            @Override
            public Collection<String> names() {
                return logs.topics().stream().map(TopicInfo::name).toList();
            }
        };
    }
}
