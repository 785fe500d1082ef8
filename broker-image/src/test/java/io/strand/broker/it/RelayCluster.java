package io.strand.broker.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * A cluster of real broker processes on 127.0.0.1 where every broker also has a relay listener on its own port,
 * and a port forwarder (standing in for {@code kubectl port-forward} / {@code ssh -L}) in front of broker 1's relay
 * port. Every relay advertises the forwarded address, as they would all advertise localhost:9092 behind a real
 * forward. ClusterProcess gives every broker the same overrides, so it cannot hand out a relay port per broker.
 */
final class RelayCluster implements AutoCloseable {
    static final int RELAY_NODE_ID = 2_000_000_000;

    private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    private final TcpRelay forward;

    private RelayCluster(TcpRelay forward) {
        this.forward = forward;
    }

    static RelayCluster start(Path dir, int size) throws IOException {
        Map<Integer, Integer> relayPorts = new TreeMap<>();
        IntStream.rangeClosed(1, size).forEach(id -> relayPorts.put(id, BrokerProcess.freePort()));
        String voters = IntStream.rangeClosed(1, size).mapToObj(id -> id + "@127.0.0.1:" + BrokerProcess.freePort()).collect(Collectors.joining(","));
        RelayCluster cluster = new RelayCluster(new TcpRelay(0, relayPorts.get(1)));
        ExecutorService starter = Executors.newFixedThreadPool(size);
        try {
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (int id = 1; id <= size; id++) {
                Map<String, String> config = new LinkedHashMap<>();
                config.put("node.id", Integer.toString(id));
                config.put("controller.quorum.voters", voters);
                config.put("controller.listener.host", "127.0.0.1");
                config.put("broker.session.timeout.ms", "3000");
                config.put("broker.heartbeat.interval.ms", "300");
                config.put("replica.lag.time.max.ms", "5000");
                config.put("group.initial.rebalance.delay.ms", "0");
                config.put("controlled.shutdown.timeout.ms", "10000");
                config.put("offsets.topic.num.partitions", "3");
                config.put("auto.leader.rebalance.enable", "false");
                config.put("relay.listener", "PLAINTEXT://127.0.0.1:" + relayPorts.get(id));
                config.put("relay.advertised.listener", "PLAINTEXT://127.0.0.1:" + cluster.forward.port());
                int node = id;
                starts.add(CompletableFuture.runAsync(() -> {
                    BrokerProcess broker = BrokerProcess.start(dir.resolve("broker-" + node), config);
                    synchronized (cluster.brokers) {
                        cluster.brokers.put(node, broker);
                    }
                }, starter));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(2 * ClusterProcess.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            cluster.awaitBrokers(IntStream.rangeClosed(1, size).boxed().toList());
            return cluster;
        } catch (Exception | AssertionError e) {
            String logs = cluster.logs();
            cluster.close();
            throw new IllegalStateException("relay cluster did not start: " + e + "\n" + logs, e);
        } finally {
            starter.shutdownNow();
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
        synchronized (brokers) {
            return brokers.values().stream().filter(BrokerProcess::isAlive).map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
        }
    }

    BrokerProcess broker(int id) {
        synchronized (brokers) {
            return brokers.get(id);
        }
    }

    void awaitBrokers(List<Integer> expected) {
        try (Admin probe = Clients.admin(directBootstrap())) {
            ClusterProcess.await(ClusterProcess.READY_TIMEOUT, "brokers " + expected + " registered and unfenced", () -> {
                try {
                    List<Integer> ids = probe.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList();
                    return ids.equals(expected) && probe.describeCluster().controller().get(5, TimeUnit.SECONDS).id() >= 0;
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
    }

    String logs() {
        StringBuilder all = new StringBuilder();
        synchronized (brokers) {
            brokers.forEach((id, b) -> {
                String log = b.logs();
                all.append("==== broker ").append(id).append(" ====\n").append(log, Math.max(0, log.length() - 6000), log.length()).append('\n');
            });
        }
        return all.toString();
    }

    @Override
    public void close() {
        try {
            forward.close();
        } catch (IOException e) {
            // the brokers still have to go
        }
        List<CompletableFuture<Void>> kills = new ArrayList<>();
        synchronized (brokers) {
            brokers.values().forEach(b -> kills.add(CompletableFuture.runAsync(b::kill)));
        }
        try {
            CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: kill() already waits for each process
        }
    }
}
