package io.strand.broker.server.cluster;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** A topic in the cluster metadata: id, config overrides and its partitions' replication state. Immutable. */
public record TopicMetadata(String name, Uuid id, Map<String, String> configs, List<PartitionState> partitions) {
    public TopicMetadata {
        configs = Map.copyOf(configs);
        partitions = List.copyOf(partitions);
    }

    public TopicMetadata withPartition(int index, PartitionState state) {
        java.util.ArrayList<PartitionState> updated = new java.util.ArrayList<>(partitions);
        updated.set(index, state);
        return new TopicMetadata(name, id, configs, updated);
    }

    public TopicMetadata withPartitions(List<PartitionState> all) {
        return new TopicMetadata(name, id, configs, all);
    }

    public TopicMetadata withConfigs(Map<String, String> overrides) {
        return new TopicMetadata(name, id, overrides, partitions);
    }
}
