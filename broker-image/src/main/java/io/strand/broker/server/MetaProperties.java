package io.strand.broker.server;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The identity stored with the data ({@code __strand_metadata/meta.properties}): cluster id and node id. A data
 * directory written by one node is refused by another, so a mis-mounted volume cannot serve the wrong data.
 */
record MetaProperties(String clusterId, int nodeId) {
    static MetaProperties loadOrCreate(Path metadataDir, int nodeId, String configuredClusterId) throws IOException {
        Path file = metadataDir.resolve("meta.properties");
        if (Files.exists(file)) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
            MetaProperties stored = new MetaProperties(props.getProperty("cluster.id"), Integer.parseInt(props.getProperty("node.id")));
            if (stored.nodeId() != nodeId) {
                throw new IllegalStateException("Data directory " + metadataDir.getParent() + " belongs to node " + stored.nodeId()
                        + ", but this broker is configured as node.id=" + nodeId);
            }
            if (configuredClusterId != null && !configuredClusterId.equals(stored.clusterId())) {
                throw new IllegalStateException("Data directory " + metadataDir.getParent() + " belongs to cluster " + stored.clusterId()
                        + ", but cluster.id=" + configuredClusterId + " is configured");
            }
            return stored;
        }
        MetaProperties created = new MetaProperties(configuredClusterId != null ? configuredClusterId : Uuid.randomUuid().toString(), nodeId);
        Properties props = new Properties();
        props.setProperty("cluster.id", created.clusterId());
        props.setProperty("node.id", Integer.toString(nodeId));
        props.setProperty("version", "1");
        Path tmp = metadataDir.resolve("meta.properties.tmp");
        try (Writer writer = Files.newBufferedWriter(tmp)) {
            props.store(writer, "Strand broker identity");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return created;
    }
}
