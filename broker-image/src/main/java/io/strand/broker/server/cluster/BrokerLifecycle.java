package io.strand.broker.server.cluster;

import java.security.SecureRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership: registers a new incarnation at start, heartbeats to the controller (saying whether its
 * metadata has caught up with its registration, which is when the controller unfences it), and on shutdown asks for
 * its leaderships to be moved before the process exits. Thread-safe.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);

    private final ClusterMetadata metadata;
    private final BrokerRegistration registration;
    private final ScheduledExecutorService scheduler;
    private final long heartbeatIntervalMs;
    private volatile long registeredAtOffset = Long.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicBoolean reregistering = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledFuture<?> heartbeats;

    public BrokerLifecycle(ClusterMetadata metadata, int nodeId, String host, int port, String rack, ScheduledExecutorService scheduler,
                           long heartbeatIntervalMs) {
        this.metadata = metadata;
        this.registration = new BrokerRegistration(nodeId, host, port, rack, new SecureRandom().nextLong() & Long.MAX_VALUE, true, false);
        this.scheduler = scheduler;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    public long incarnation() {
        return registration.incarnation();
    }

    /** Registers (retrying until the quorum answers) and starts heartbeating. */
    public void start() {
        heartbeats = scheduler.scheduleWithFixedDelay(this::beat, 0, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
        register();
    }

    private void register() {
        metadata.submit(new MetadataRecord.RegisterBroker(registration)).whenComplete((result, error) -> {
            if (error != null || !result.ok()) {
                LOG.warn("Registration of broker {} failed ({}); retrying", registration.id(), error != null ? error.toString() : result.error());
                scheduler.schedule(this::register, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
                return;
            }
            registeredAtOffset = result.offset();
            reregistering.set(false);
            LOG.info("Registered broker {} (incarnation {}) at metadata offset {}", registration.id(), registration.incarnation(), result.offset());
            beat();
        });
    }

    private void beat() {
        ClusterImage image = metadata.image();
        BrokerRegistration current = image.brokers().get(registration.id());
        if (registeredAtOffset != Long.MAX_VALUE && image.offset() > registeredAtOffset
                && (current == null || current.incarnation() != registration.incarnation()) && reregistering.compareAndSet(false, true)) {
            // unregistered (or replaced) while still running: a running broker is a member, as in Kafka
            LOG.warn("Broker {} is no longer registered; registering again", registration.id());
            registeredAtOffset = Long.MAX_VALUE;
            register();
            return;
        }
        boolean caughtUp = image.offset() >= registeredAtOffset;
        metadata.log().query(Controller.heartbeat(registration.id(), registration.incarnation(), caughtUp)).exceptionally(error -> {
            LOG.debug("Heartbeat failed: {}", error.toString());
            return null;
        });
    }

    /** Whether the controller has this incarnation registered and unfenced. */
    public boolean active() {
        BrokerRegistration current = metadata.image().brokers().get(registration.id());
        return current != null && current.incarnation() == registration.incarnation() && current.active();
    }

    /**
     * Controlled shutdown: asks the controller to move this broker's leaderships and ISR memberships away, then waits
     * (up to {@code timeoutMs}) until no partition is led here.
     */
    public void controlledShutdown(long timeoutMs) {
        if (registeredAtOffset == Long.MAX_VALUE) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            metadata.submit(new MetadataRecord.ControlledShutdown(registration.id(), registration.incarnation()))
                    .get(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
            while (System.nanoTime() < deadline && leadsAnything()) {
                Thread.sleep(50);
            }
            LOG.info("Controlled shutdown done: {}", leadsAnything() ? "some partitions still led here (timeout)" : "no partition is led here");
        } catch (Exception e) {
            LOG.warn("Controlled shutdown failed: {}", e.toString());
        }
    }

    private boolean leadsAnything() {
        int id = registration.id();
        return metadata.image().topics().values().stream().anyMatch(t -> t.partitions().stream().anyMatch(p -> p.leader() == id && p.replicas().size() > 1));
    }

    @Override
    public void close() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
    }
}
