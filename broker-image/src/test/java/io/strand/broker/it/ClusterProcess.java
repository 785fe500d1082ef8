package io.strand.broker.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * N real broker processes on 127.0.0.1 forming one cluster: node ids 1..N (or from another first id), the first V of them metadata quorum voters
 * (all of them unless told otherwise) and the rest non-voting members, each on its own free Raft port, each with its own data directory under {@code dir}. Timeouts are shortened so failover
 * shows within seconds. Every wait is bounded.
 */
public final class ClusterProcess implements AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Whether partition replication (followers fetching from leaders, ISR expansion) is in the broker yet. Tests of
     * data across failover, of replicas rejoining the ISR and of reassignments that add replicas need it; run them
     * with {@code -Dstrand.replication=true}.
     */
    public static final boolean REPLICATION = Boolean.parseBoolean(System.getProperty("strand.replication", "true"));

    public static void assumeReplication(String what) {
        org.junit.jupiter.api.Assumptions.assumeTrue(REPLICATION, what + " needs partition replication: run with -Dstrand.replication=true once it is in");
    }

    private final Path dir;
    /** {@code controller.quorum.voters} and the overrides every broker started so far was given, for {@link #addBroker}. */
    private String voters;
    private Map<String, String> overrides = Map.of();
    private IntFunction<Map<String, String>> perBroker = id -> Map.of();
    private final Map<Integer, Map<String, String>> configs = new TreeMap<>();
    private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    private Admin admin;

    private ClusterProcess(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code size} brokers (in parallel: the quorum needs a majority before anyone can register). */
    public static ClusterProcess start(Path dir, int size, Map<String, String> overrides) {
        return start(dir, size, size, overrides);
    }

    /**
     * Starts {@code size} brokers of which the first {@code voterCount} are quorum voters; the others are non-voting
     * members, each with its own free Raft port.
     */
    public static ClusterProcess start(Path dir, int size, int voterCount, Map<String, String> overrides) {
        return start(dir, 1, size, voterCount, overrides);
    }

    /**
     * Like {@link #start(Path, int, int, Map)} with node ids {@code firstId .. firstId + size - 1}: the Kubernetes
     * operator's brokers are numbered from 0, like the pods of a StatefulSet.
     */
    public static ClusterProcess start(Path dir, int firstId, int size, int voterCount, Map<String, String> overrides) {
        return start(dir, firstId, size, voterCount, overrides, id -> Map.of());
    }

    /** Like {@link #start(Path, int, int, int, Map)}, with {@code perBroker} overrides on top for each node id. */
    public static ClusterProcess start(Path dir, int firstId, int size, int voterCount, Map<String, String> overrides,
                                       IntFunction<Map<String, String>> perBroker) {
        ClusterProcess cluster = new ClusterProcess(dir);
        cluster.perBroker = perBroker;
        cluster.voters = java.util.stream.IntStream.range(firstId, firstId + voterCount)
                .mapToObj(id -> id + "@127.0.0.1:" + BrokerProcess.freePort()).collect(Collectors.joining(","));
        cluster.overrides = Map.copyOf(overrides);
        for (int id = firstId; id < firstId + size; id++) {
            cluster.configs.put(id, cluster.config(id, id >= firstId + voterCount));
        }
        // at most three JVMs warming up at once: on a small CI machine more only makes each of them slower
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newFixedThreadPool(Math.min(size, 3));
        try {
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (int id = firstId; id < firstId + size; id++) {
                int node = id;
                starts.add(CompletableFuture.runAsync(() -> {
                    BrokerProcess broker = BrokerProcess.start(cluster.dataDir(node), cluster.configs.get(node));
                    synchronized (cluster.brokers) {
                        cluster.brokers.put(node, broker);
                    }
                }, starter));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(2 * READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            cluster.awaitReady();
            return cluster;
        } catch (Exception | AssertionError e) {
            String logs = cluster.logs();
            cluster.close();
            throw new IllegalStateException("cluster of " + size + " did not start: " + e + "\n" + logs, e);
        } finally {
            starter.shutdownNow();
        }
    }

    private Map<String, String> config(int id, boolean nonVoter) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("node.id", Integer.toString(id));
        config.put("controller.quorum.voters", voters);
        if (nonVoter) {
            config.put("controller.listener.port", Integer.toString(BrokerProcess.freePort()));
        }
        config.put("controller.listener.host", "127.0.0.1");
        config.put("broker.session.timeout.ms", "3000");
        config.put("broker.heartbeat.interval.ms", "300");
        config.put("replica.lag.time.max.ms", "5000");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("controlled.shutdown.timeout.ms", "10000");
        config.put("offsets.topic.num.partitions", "3");
        config.putAll(overrides);
        config.putAll(perBroker.apply(id));
        return config;
    }

    /**
     * Starts one more broker, a non-voting member with a new id, as a scale-up would; returns without waiting for its
     * registration (see {@link #awaitBrokers}).
     */
    public BrokerProcess addBroker(int id) {
        Map<String, String> config;
        synchronized (brokers) {
            if (configs.containsKey(id)) {
                throw new IllegalArgumentException("broker " + id + " exists already: restart it instead");
            }
            config = config(id, true);
            configs.put(id, config);
        }
        BrokerProcess broker = BrokerProcess.start(dataDir(id), config);
        synchronized (brokers) {
            brokers.put(id, broker);
        }
        return broker;
    }

    /** Whether a broker with this id was ever started (it may be stopped now). */
    public boolean has(int id) {
        synchronized (brokers) {
            return brokers.containsKey(id);
        }
    }

    public static ClusterProcess start(Path dir, int size) {
        return start(dir, size, Map.of());
    }

    public Path dataDir(int id) {
        return dir.resolve("broker-" + id);
    }

    public int size() {
        return configs.size();
    }

    public Collection<Integer> ids() {
        synchronized (brokers) {
            return List.copyOf(configs.keySet());
        }
    }

    /** Every broker's address, alive or not: clients skip the ones that do not answer. */
    public String bootstrap() {
        synchronized (brokers) {
            return brokers.values().stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
        }
    }

    /** The addresses of the brokers whose process runs. */
    public String liveBootstrap() {
        synchronized (brokers) {
            return brokers.values().stream().filter(BrokerProcess::isAlive).map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
        }
    }

    public BrokerProcess broker(int id) {
        synchronized (brokers) {
            BrokerProcess broker = brokers.get(id);
            if (broker == null) {
                throw new IllegalArgumentException("no broker " + id);
            }
            return broker;
        }
    }

    /** An Admin client on the whole bootstrap list, shared, closed with the cluster. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Clients.admin(bootstrap());
        }
        return admin;
    }

    /** kill -9. */
    public void kill(int id) {
        broker(id).kill();
    }

    /** SIGTERM: the broker moves its leaderships away (controlled shutdown) and exits; waits for the exit. */
    public void stop(int id) {
        broker(id).stop();
    }

    /** Starts a stopped or killed broker again, on the same port and data directory. */
    public void restart(int id) {
        broker(id).restart();
    }

    /** Deletes a stopped broker's data directory, as if its volume was lost; {@link #restart} starts it empty. */
    public void wipe(int id) {
        if (broker(id).isAlive()) {
            throw new IllegalStateException("broker " + id + " is running: stop or kill it before wiping its data");
        }
        Path data = dataDir(id);
        if (!Files.exists(data)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(data)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until every running broker is registered, unfenced and the controller answers. */
    public void awaitReady() {
        awaitBrokers(brokersAlive());
    }

    /**
     * Waits until describeCluster shows exactly {@code expected} unfenced brokers and a controller through a client
     * bootstrapped from each live broker, twice in a row: brokers answer from their own metadata images, and a test that
     * went on after one broker's view could create a topic through another that still counted one broker fewer (seen
     * as INVALID_REPLICATION_FACTOR right after a restart on a loaded machine).
     */
    public void awaitBrokers(Collection<Integer> expected) {
        List<Integer> want = expected.stream().sorted().toList();
        List<String> addresses;
        synchronized (brokers) {
            addresses = brokers.values().stream().filter(BrokerProcess::isAlive).map(BrokerProcess::bootstrap).toList();
        }
        String[] seen = {"nothing yet"};
        int[] rounds = {0};
        List<Admin> probes = addresses.stream().map(Clients::admin).toList();
        try {
            await(READY_TIMEOUT, "brokers " + expected + " registered and unfenced, with a controller, on every live broker", () -> {
                for (int i = 0; i < probes.size(); i++) {
                    try {
                        DescribeClusterResult cluster = probes.get(i).describeCluster();
                        List<Integer> ids = cluster.nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList();
                        Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
                        seen[0] = addresses.get(i) + " sees brokers " + ids + ", controller " + controller;
                        if (!ids.equals(want) || controller == null || controller.id() < 0) {
                            rounds[0] = 0;
                            return false;
                        }
                    } catch (Exception notYet) {
                        seen[0] = addresses.get(i) + ": " + notYet;
                        rounds[0] = 0;
                        return false;
                    }
                }
                return ++rounds[0] >= 2;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + seen[0], e);
        } finally {
            probes.forEach(Admin::close);
        }
    }

    public List<Integer> brokersAlive() {
        synchronized (brokers) {
            return brokers.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
        }
    }

    /** The controller as the given client sees it. */
    public int controller() throws Exception {
        return admin().describeCluster().controller().get(10, TimeUnit.SECONDS).id();
    }

    /** The topic's partitions as describeTopics (through the shared client) shows them. */
    public List<TopicPartitionInfo> partitions(String topic) throws Exception {
        TopicDescription description = admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        return description.partitions();
    }

    /** Leader id of each partition (-1 when leaderless), in partition order. */
    public List<Integer> leaders(String topic) throws Exception {
        return partitions(topic).stream().map(p -> p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()).toList();
    }

    public String logs() {
        StringBuilder all = new StringBuilder();
        synchronized (brokers) {
            brokers.forEach((id, b) -> {
                String log = b.logs();
                // the tail is what explains a failure
                all.append("==== broker ").append(id).append(" ====\n").append(log, Math.max(0, log.length() - 6000), log.length()).append('\n');
            });
        }
        return all.toString();
    }

    /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes, then fails with {@code what}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    /** Like {@link #await} for conditions that call the Admin client (exceptions count as "not yet"). */
    public void awaitAdmin(Duration timeout, String what, CheckedCondition condition) {
        try {
            await(timeout, what, () -> {
                try {
                    return condition.holds();
                } catch (Exception notYet) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + logs(), e);
        }
    }

    @FunctionalInterface
    public interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /** Unwraps the cause of a failed Admin future. */
    public static Throwable failure(CheckedCondition call) {
        try {
            call.holds();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
                admin = null;
            }
        }
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        synchronized (brokers) {
            // kill -9: a clean stop of the last voters would wait for a quorum that is gone
            brokers.values().forEach(b -> stops.add(CompletableFuture.runAsync(b::kill)));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: kill() already waited up to 30 s per broker
        }
    }
}
