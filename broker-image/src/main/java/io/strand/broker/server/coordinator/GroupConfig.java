package io.strand.broker.server.coordinator;

import io.strand.broker.server.config.BrokerConfig;
import java.util.List;
import java.util.Locale;

/** The broker settings the coordinator uses, read once. Immutable. */
public record GroupConfig(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int consumerSessionTimeoutMs,
                          int consumerHeartbeatIntervalMs, List<String> consumerAssignors, int offsetsTopicPartitions,
                          int offsetsTopicSegmentBytes, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes) {

    public static GroupConfig from(BrokerConfig config) {
        List<String> assignors = config.groupConsumerAssignors().stream().map(GroupConfig::assignorName).toList();
        for (String name : assignors) {
            if (!Assignors.KNOWN.contains(name)) {
                throw new org.apache.kafka.common.config.ConfigException(BrokerConfig.GROUP_CONSUMER_ASSIGNORS, config.groupConsumerAssignors(),
                        "unknown assignor '" + name + "'; known: " + Assignors.KNOWN);
            }
        }
        if (assignors.isEmpty()) {
            throw new org.apache.kafka.common.config.ConfigException(BrokerConfig.GROUP_CONSUMER_ASSIGNORS, "", "at least one assignor is needed");
        }
        return new GroupConfig(config.groupInitialRebalanceDelayMs(), config.groupMinSessionTimeoutMs(), config.groupMaxSessionTimeoutMs(),
                config.groupConsumerSessionTimeoutMs(), config.groupConsumerHeartbeatIntervalMs(), assignors, config.offsetsTopicNumPartitions(),
                config.offsetsTopicSegmentBytes(), config.offsetsRetentionMs(), config.offsetsRetentionCheckIntervalMs(), config.offsetMetadataMaxBytes());
    }

    /** "uniform", or Kafka's class name org.apache.kafka.coordinator.group.assignor.UniformAssignor, to "uniform". */
    static String assignorName(String configured) {
        String simple = configured.trim();
        simple = simple.substring(simple.lastIndexOf('.') + 1);
        if (simple.endsWith("Assignor")) {
            simple = simple.substring(0, simple.length() - "Assignor".length());
        }
        return simple.toLowerCase(Locale.ROOT);
    }

    String defaultAssignor() {
        return consumerAssignors.get(0);
    }
}
