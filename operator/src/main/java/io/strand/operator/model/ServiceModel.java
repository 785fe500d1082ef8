package io.strand.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.strand.operator.api.KafkaCluster;
import java.util.Optional;

/**
 * The Services of a cluster: per-broker DNS names, one address for clients to bootstrap from, and with a tunnel listener
 * one port to forward for the whole cluster.
 */
public final class ServiceModel {

    private ServiceModel() {
    }

    /**
     * Gives each pod the stable name {@code <pod>.<cluster>-brokers.<namespace>.svc} that advertised listeners and
     * quorum voters use. Not-ready pods are published too: the quorum's voters must find each other before any of them
     * can become ready.
     */
    public static Service headless(KafkaCluster cluster) {
        String name = ClusterResources.name(cluster);
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.headlessServiceName(name))
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withNewSpec()
                    .withClusterIP("None")
                    .withPublishNotReadyAddresses(true)
                    .withSelector(ClusterResources.selectorLabels(name))
                    .withPorts(kafkaPort(cluster), port(ClusterResources.CONTROLLER_PORT_NAME, ClusterResources.CONTROLLER_PORT))
                .endSpec()
                .build();
    }

    /** A ClusterIP Service over ready brokers only: clients bootstrap from any of them and then talk to each directly. */
    public static Service bootstrap(KafkaCluster cluster) {
        return clusterIp(cluster, ClusterResources.bootstrapServiceName(ClusterResources.name(cluster)), kafkaPort(cluster));
    }

    /**
     * Single-port access: {@code kubectl port-forward svc/<cluster>-tunnel 9092} reaches one ready broker's relay
     * listener, which presents the whole cluster at the advertised address (localhost:9092 by default). The Service's
     * port is the advertised one, so the forwarded local port and the advertised port are the same number.
     */
    public static Optional<Service> tunnel(KafkaCluster cluster) {
        return Listeners.tunnel(cluster).map(tunnel -> clusterIp(cluster, ClusterResources.tunnelServiceName(ClusterResources.name(cluster)),
                port(ClusterResources.TUNNEL_PORT_NAME, tunnel.advertisedPort())));
    }

    private static Service clusterIp(KafkaCluster cluster, String serviceName, ServicePort port) {
        String name = ClusterResources.name(cluster);
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(serviceName)
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(ClusterResources.selectorLabels(name))
                    .withPorts(port)
                .endSpec()
                .build();
    }

    private static ServicePort kafkaPort(KafkaCluster cluster) {
        return port(ClusterResources.KAFKA_PORT_NAME, SpecDefaults.kafkaPort(cluster));
    }

    private static ServicePort port(String name, int port) {
        return new ServicePortBuilder()
                .withName(name)
                .withProtocol("TCP")
                .withPort(port)
                .withTargetPort(new IntOrString(name))
                .build();
    }
}
