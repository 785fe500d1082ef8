package io.strand.operator.kafka;

import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Listeners;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Connects to {@code <cluster>-bootstrap.<namespace>.svc:<internal listener port>}, the cluster's bootstrap Service. */
public final class BootstrapAdminFactory implements KafkaAdminFactory {

    @Override
    public Admin create(KafkaCluster cluster) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ClusterResources.bootstrapAddress(cluster.getMetadata().getName(),
                        cluster.getMetadata().getNamespace(), Listeners.internalPort(cluster)),
                AdminClientConfig.CLIENT_ID_CONFIG, "strand-operator",
                // a reconcile must not hang on an unreachable cluster: fail fast and let JOSDK retry with backoff
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
    }
}
