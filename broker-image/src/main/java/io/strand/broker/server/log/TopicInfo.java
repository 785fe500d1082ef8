package io.strand.broker.server.log;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/** What the broker knows of a topic: its id, partition count and config overrides. Immutable. */
public record TopicInfo(String name, Uuid id, int partitions, Map<String, String> configs) {
    public TopicInfo {
        configs = Map.copyOf(configs);
    }

    TopicInfo withPartitions(int count) {
        return new TopicInfo(name, id, count, configs);
    }

    TopicInfo withConfigs(Map<String, String> overrides) {
        return new TopicInfo(name, id, partitions, overrides);
    }
}
