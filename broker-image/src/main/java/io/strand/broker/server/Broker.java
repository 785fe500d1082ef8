package io.strand.broker.server;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strand.broker.server.cluster.BrokerLifecycle;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.Controller;
import io.strand.broker.server.cluster.LocalMetadataLog;
import io.strand.broker.server.cluster.MetadataLog;
import io.strand.broker.server.cluster.MetadataQuorum;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.coordinator.GroupConfig;
import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.handlers.ApiHandlers;
import io.strand.broker.server.handlers.BrokerMetrics;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.ProducerIdManager;
import io.strand.broker.server.metrics.GroupLagMetrics;
import io.strand.broker.server.metrics.ReplicaMetrics;
import io.strand.broker.server.network.KafkaServer;
import io.strand.broker.server.network.RequestMetrics;
import io.strand.broker.server.relay.RelayListener;
import io.strand.broker.server.replication.ReplicaFetcherManager;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running broker: storage, handlers, the Kafka listener and the metrics endpoint, started and stopped together. */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final FileChannel lockChannel;
    private final ClusterMetadata metadata;
    private final Controller controller;
    private final BrokerLifecycle lifecycle;
    private final long controlledShutdownTimeoutMs;
    private final LogManager logs;
    private final GroupCoordinator groups;
    private final ReplicaFetcherManager fetchers;
    private final ScheduledExecutorService scheduler;
    private final KafkaServer server;
    private final RelayListener relay;
    private final MetricsEndpoint metricsEndpoint;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<Boolean> closed = new AtomicReference<>(false);

    private Broker(FileChannel lockChannel, ClusterMetadata metadata, Controller controller, BrokerLifecycle lifecycle, LogManager logs,
                   GroupCoordinator groups, ReplicaFetcherManager fetchers, ScheduledExecutorService scheduler, KafkaServer server,
                   RelayListener relay, MetricsEndpoint metricsEndpoint, long controlledShutdownTimeoutMs) {
        this.lockChannel = lockChannel;
        this.metadata = metadata;
        this.controller = controller;
        this.lifecycle = lifecycle;
        this.controlledShutdownTimeoutMs = controlledShutdownTimeoutMs;
        this.logs = logs;
        this.groups = groups;
        this.fetchers = fetchers;
        this.scheduler = scheduler;
        this.server = server;
        this.relay = relay;
        this.metricsEndpoint = metricsEndpoint;
    }

    public static Broker start(BrokerConfig config) throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        Path logDir = config.logDir();
        Path metadataDir = logDir.resolve("__strand_metadata");
        Files.createDirectories(metadataDir);
        FileChannel lockChannel = FileChannel.open(metadataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("Another broker is using " + logDir);
        }
        MetaProperties meta = MetaProperties.loadOrCreate(metadataDir, config.nodeId(), config.clusterId());
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "strand-scheduler");
            t.setDaemon(true);
            return t;
        });
        List<MetadataQuorum.Voter> voters = MetadataQuorum.Voter.parseList(config.quorumVoters());
        MetadataLog metadataLog = voters.isEmpty()
                ? LocalMetadataLog.open(config.nodeId(), metadataDir.resolve("metadata"))
                : MetadataQuorum.start(config.nodeId(), voters, new MetadataQuorum.Address(config.controllerAdvertisedHost(), config.controllerListenerPort()),
                        config.controllerListenerHost(), metadataDir.resolve("raft"));
        ClusterMetadata metadata = new ClusterMetadata(config.nodeId(), metadataLog);
        Controller controller = new Controller(metadataLog, scheduler, config.sessionTimeoutMs(), config.autoLeaderRebalance(),
                config.leaderImbalanceCheckIntervalMs(), meta.clusterId());
        LogManager logs = LogManager.open(config, metadata, Clock.systemUTC());
        logs.schedule(scheduler);
        // followers fetch from their leaders (Kafka's replica fetcher threads), following role changes of every image
        ReplicaFetcherManager fetchers = new ReplicaFetcherManager(logs, metadata, config);
        fetchers.start();
        BrokerLifecycle lifecycle = new BrokerLifecycle(metadata, config.nodeId(), config.advertisedListener().host(),
                config.advertisedListener().port(), config.rack(), scheduler, config.heartbeatIntervalMs());
        lifecycle.start();
        if (voters.isEmpty()) {
            // a quorum of one answers at once: serve the first request with this broker already leading its partitions
            awaitActive(lifecycle, 5_000);
        }

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node_id", Integer.toString(config.nodeId()));
        BrokerMetrics brokerMetrics = new BrokerMetrics(registry);
        ReplicaMetrics replicaMetrics = new ReplicaMetrics(logs, registry);

        // Loads __consumer_offsets in the background: group requests get COORDINATOR_LOAD_IN_PROGRESS until it is done.
        GroupCoordinator groups = new GroupCoordinator(logs, GroupConfig.from(config), Clock.systemUTC());
        groups.start((short) Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), Math.max(1, voters.size()))));
        BrokerContext context = new BrokerContext(config, meta.clusterId(), logs, new ProducerIdManager(logs), groups);
        GroupLagMetrics lagMetrics = new GroupLagMetrics(groups, logs, registry, config.metricsGroupLagMaxSeries());
        ApiHandlers handlers = ApiHandlers.standard(context, brokerMetrics);
        RequestMetrics requestMetrics = new RequestMetrics(registry, handlers.all().keySet());

        BrokerConfig.Endpoint listener = config.listener();
        KafkaServer server = KafkaServer.start(listener.host(), listener.port(), config.networkThreads(), config.socketRequestMaxBytes(),
                config.maxPendingPerConnection(), handlers, requestMetrics);
        RelayListener relay = config.relayListener() == null ? null : RelayListener.start(config, metadata, groups, handlers, requestMetrics);
        MetricsEndpoint metricsEndpoint = null;
        if (config.metricsPort() > 0) {
            metricsEndpoint = MetricsEndpoint.start(listener.host(), config.metricsPort(), registry, () -> {
                brokerMetrics.retainTopics(metadata.image().topics()::containsKey);
                replicaMetrics.refresh();
                lagMetrics.refresh();
            }, lifecycle::active);
        }
        Broker broker = new Broker(lockChannel, metadata, controller, lifecycle, logs, groups, fetchers, scheduler, server, relay, metricsEndpoint,
                config.controlledShutdownTimeoutMs());
        LOG.info("Strand broker {} of cluster {} started in {} ms: listening on {}:{}, advertised as {}:{}, {} topic(s), data in {}",
                config.nodeId(), meta.clusterId(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), listener.host(), server.port(),
                config.advertisedListener().host(), config.advertisedListener().port(), logs.topics().size(), logDir);
        if (relay != null) {
            LOG.info("Relay listener on {}:{}, advertised as node {} at {}:{}", config.relayListener().host(), relay.port(),
                    config.relayNodeId(), config.relayAdvertisedListener().host(), config.relayAdvertisedListener().port());
        }
        // JVM metrics are registered after the listener is up: they are not needed to serve the first request.
        scheduler.execute(() -> {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
        });
        return broker;
    }

    private static void awaitActive(BrokerLifecycle lifecycle, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!lifecycle.active() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    public int port() {
        return server.port();
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops accepting requests, then closes every log cleanly (flushing it and writing its indexes). */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        LOG.info("Shutting down");
        try {
            // leadership moves to other in-sync replicas while this broker still serves, so clients fail over cleanly
            lifecycle.controlledShutdown(controlledShutdownTimeoutMs);
            lifecycle.close();
            if (relay != null) {
                relay.close();
            }
            server.close();
            if (metricsEndpoint != null) {
                metricsEndpoint.close();
            }
            scheduler.shutdownNow();
            groups.close();
            fetchers.close();
            controller.close();
            logs.close();
            metadata.close();
            lockChannel.close();
            LOG.info("Shut down cleanly");
        } catch (IOException | RuntimeException e) {
            LOG.error("Shutdown failed", e);
        } finally {
            terminated.countDown();
        }
    }
}
