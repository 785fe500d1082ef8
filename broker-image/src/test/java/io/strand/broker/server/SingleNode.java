package io.strand.broker.server;

import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.LocalMetadataLog;
import io.strand.broker.server.cluster.MetadataRecord;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;

/** A LogManager over a local metadata log with this broker registered and active, for tests without a Broker. */
public final class SingleNode {
    private SingleNode() {
    }

    public static LogManager logManager(BrokerConfig config, Path metadataDir) throws Exception {
        ClusterMetadata metadata = new ClusterMetadata(config.nodeId(), LocalMetadataLog.open(config.nodeId(), metadataDir));
        BrokerRegistration self = new BrokerRegistration(config.nodeId(), "127.0.0.1", 9092, null, 1, true, false);
        metadata.submit(new MetadataRecord.ClusterState("test-cluster", 0)).get();
        metadata.submit(new MetadataRecord.RegisterBroker(self)).get();
        metadata.submit(new MetadataRecord.UnfenceBroker(config.nodeId(), 1)).get();
        return LogManager.open(config, metadata, Clock.systemUTC());
    }
}
