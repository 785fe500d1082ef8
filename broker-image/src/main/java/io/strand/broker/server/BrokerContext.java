package io.strand.broker.server;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.ProducerIdManager;

/** What request handlers share: configuration, identity and the logs. */
public record BrokerContext(BrokerConfig config, String clusterId, LogManager logs, ProducerIdManager producerIds) {
    public int nodeId() {
        return config.nodeId();
    }

    public BrokerConfig.Endpoint advertised() {
        return config.advertisedListener();
    }
}
