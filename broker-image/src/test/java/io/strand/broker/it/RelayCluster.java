package io.strand.broker.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * A {@link ClusterProcess} of real brokers on 127.0.0.1 where every broker also has a relay listener on its own port,
 * and a port forwarder (standing in for {@code kubectl port-forward} / {@code ssh -L}) in front of broker 1's relay
 * port. Every relay advertises the forwarded address, as they would all advertise localhost:9092 behind a real
 * forward.
 */
final class RelayCluster implements AutoCloseable {
    static final int RELAY_NODE_ID = 2_000_000_000;

    private final ClusterProcess brokers;
    private final TcpRelay forward;

    private RelayCluster(ClusterProcess brokers, TcpRelay forward) {
        this.brokers = brokers;
        this.forward = forward;
    }

    static RelayCluster start(Path dir, int size) throws IOException {
        Map<Integer, Integer> relayPorts = new TreeMap<>();
        IntStream.rangeClosed(1, size).forEach(id -> relayPorts.put(id, BrokerProcess.freePort()));
        TcpRelay forward = new TcpRelay(0, relayPorts.get(1));
        try {
            ClusterProcess brokers = ClusterProcess.start(dir, 1, size, size,
                    Map.of("auto.leader.rebalance.enable", "false",
                            "relay.advertised.listener", "PLAINTEXT://127.0.0.1:" + forward.port()),
                    id -> Map.of("relay.listener", "PLAINTEXT://127.0.0.1:" + relayPorts.get(id)));
            return new RelayCluster(brokers, forward);
        } catch (RuntimeException e) {
            forward.close();
            throw e;
        }
    }

    /** The one address relay clients are given: the forwarded port. */
    String relayBootstrap() {
        return "127.0.0.1:" + forward.port();
    }

    int relayPort() {
        return forward.port();
    }

    /** The brokers' ordinary listeners, for the test's own checks only (never given to the clients under test). */
    String directBootstrap() {
        return brokers.liveBootstrap();
    }

    BrokerProcess broker(int id) {
        return brokers.broker(id);
    }

    @Override
    public void close() {
        try {
            forward.close();
        } catch (IOException e) {
            // the brokers still have to go
        }
        brokers.close();
    }
}
