package io.strand.operator.model;

import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Listener;
import io.strand.operator.api.ListenerType;
import java.util.List;
import java.util.Optional;

/**
 * The listeners of a KafkaCluster with their defaults applied: the internal one (every broker at its own address,
 * also how brokers reach each other) and the optional tunnel one (the broker's relay listener, docs/single-port.md).
 */
public final class Listeners {

    private Listeners() {
    }

    /** Port of the internal listener: the first listener that is not a tunnel, else 9092. */
    public static int internalPort(KafkaCluster cluster) {
        return listeners(cluster).stream()
                .filter(l -> l.getType() != ListenerType.TUNNEL && l.getPort() != null)
                .map(Listener::getPort)
                .findFirst()
                .orElse(Listener.DEFAULT_PORT);
    }

    /** The tunnel listener, if the cluster has one. */
    public static Optional<Tunnel> tunnel(KafkaCluster cluster) {
        return listeners(cluster).stream()
                .filter(l -> l.getType() == ListenerType.TUNNEL && l.getPort() != null)
                .findFirst()
                .map(l -> new Tunnel(l.getPort(),
                        l.getAdvertisedHost() == null || l.getAdvertisedHost().isBlank() ? Listener.DEFAULT_TUNNEL_HOST : l.getAdvertisedHost(),
                        l.getAdvertisedPort() == null ? Listener.DEFAULT_TUNNEL_ADVERTISED_PORT : l.getAdvertisedPort()));
    }

    /**
     * @param port where each broker's relay listener listens (the pods' {@code tunnel} port)
     * @param advertisedHost what clients dial at their end of the tunnel
     * @param advertisedPort the port clients dial, and the tunnel Service's port
     */
    public record Tunnel(int port, String advertisedHost, int advertisedPort) {
        public String advertisedListener() {
            return "PLAINTEXT://" + advertisedHost + ":" + advertisedPort;
        }
    }

    private static List<Listener> listeners(KafkaCluster cluster) {
        List<Listener> listeners = SpecDefaults.spec(cluster).getListeners();
        return listeners == null ? List.of() : listeners;
    }
}
