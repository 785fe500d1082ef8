package io.strand.broker.server;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.ProducerIdManager;

/** What request handlers share: configuration, identity, the logs and the group coordinator. */
public record BrokerContext(BrokerConfig config, String clusterId, LogManager logs, ProducerIdManager producerIds, GroupCoordinator groups) {
    /** A context without a group coordinator (for code that never serves group APIs). */
    public BrokerContext(BrokerConfig config, String clusterId, LogManager logs, ProducerIdManager producerIds) {
        this(config, clusterId, logs, producerIds, null);
    }

    /** The cluster id from the metadata (set by the first controller), or this broker's own until then. */
    @Override
    public String clusterId() {
        String fromMetadata = logs == null ? null : logs.metadata().image().clusterId();
        return fromMetadata != null ? fromMetadata : clusterId;
    }

    public int nodeId() {
        return config.nodeId();
    }

    public BrokerConfig.Endpoint advertised() {
        return config.advertisedListener();
    }
}
