package io.strand.broker.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller duties, carried out by whichever broker leads the metadata quorum: tracking broker heartbeats,
 * fencing brokers that go silent (their partitions then get new leaders from the ISR, by the rules in
 * {@link ClusterImage}), unfencing brokers that caught up, moving leadership back to preferred replicas, and giving
 * a new cluster its id. Heartbeat times live only in the leader's memory: a new leader gives every broker a full
 * session timeout before fencing it. Thread-safe.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final MetadataLog log;
    private final ScheduledExecutorService scheduler;
    private final long sessionTimeoutMs;
    private final boolean autoLeaderRebalance;
    private final long imbalanceCheckIntervalMs;
    private final Map<Integer, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final java.util.Set<MetadataRecord> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> task;
    private final String proposedClusterId;
    private volatile boolean leading;
    private long lastImbalanceCheck;
    private volatile long leaderSinceMs;

    private record Heartbeat(long incarnation, long atMs, boolean caughtUp) {
    }

    public Controller(MetadataLog log, ScheduledExecutorService scheduler, long sessionTimeoutMs, boolean autoLeaderRebalance, long imbalanceCheckIntervalMs,
                      String proposedClusterId) {
        this.log = log;
        this.proposedClusterId = proposedClusterId;
        this.scheduler = scheduler;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.autoLeaderRebalance = autoLeaderRebalance;
        this.imbalanceCheckIntervalMs = imbalanceCheckIntervalMs;
        log.setQueryHandler(this::onQuery);
        this.task = scheduler.scheduleWithFixedDelay(this::tick, 0, Math.max(50, Math.min(250, sessionTimeoutMs / 8)), TimeUnit.MILLISECONDS);
    }

    /** Heartbeat request: "HB brokerId incarnation caughtUp". */
    public static byte[] heartbeat(int brokerId, long incarnation, boolean caughtUp) {
        return ("HB " + brokerId + " " + incarnation + " " + caughtUp).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] onQuery(byte[] request) {
        String[] parts = new String(request, StandardCharsets.UTF_8).split(" ");
        if (parts.length == 4 && parts[0].equals("HB")) {
            int brokerId = Integer.parseInt(parts[1]);
            boolean caughtUp = Boolean.parseBoolean(parts[3]);
            Heartbeat previous = heartbeats.put(brokerId, new Heartbeat(Long.parseLong(parts[2]), now(), caughtUp));
            BrokerRegistration broker = log.image().brokers().get(brokerId);
            if (caughtUp && broker != null && broker.fenced() && (previous == null || !previous.caughtUp())) {
                scheduler.execute(this::tick);
            }
            return "OK".getBytes(StandardCharsets.UTF_8);
        }
        return "UNKNOWN".getBytes(StandardCharsets.UTF_8);
    }

    private void tick() {
        if (!ticking.compareAndSet(false, true)) {
            return;
        }
        try {
            boolean leader = log.isLeader();
            if (leader && !leading) {
                // Newly elected: heartbeats this node saw before (possibly from older incarnations) say nothing about
                // now, so every broker gets a full session timeout from this moment.
                leaderSinceMs = now();
                lastImbalanceCheck = leaderSinceMs;
                LOG.info("This broker is now the controller");
            }
            leading = leader;
            if (!leader) {
                return;
            }
            ClusterImage image = log.image();
            if (image.clusterId() == null) {
                submit(new MetadataRecord.ClusterState(proposedClusterId != null ? proposedClusterId : Uuid.randomUuid().toString(), 0));
            }
            long now = now();
            for (BrokerRegistration broker : image.brokers().values()) {
                Heartbeat hb = heartbeats.get(broker.id());
                boolean current = hb != null && hb.incarnation() == broker.incarnation() && hb.atMs() >= leaderSinceMs;
                // A broker not heard from since this node took over gets twice the session timeout: its heartbeats may
                // still be retrying against the old controller before they find this one.
                long silentMs = current ? now - hb.atMs() : now - leaderSinceMs - sessionTimeoutMs;
                if (!broker.fenced() && silentMs > sessionTimeoutMs) {
                    LOG.warn("Broker {} has not heartbeaten for {} ms: fencing it", broker.id(), silentMs);
                    submit(new MetadataRecord.FenceBroker(broker.id(), broker.incarnation()));
                } else if (broker.fenced() && !broker.shuttingDown() && current && hb.caughtUp() && now - hb.atMs() <= sessionTimeoutMs) {
                    LOG.info("Broker {} caught up with the metadata: unfencing it", broker.id());
                    submit(new MetadataRecord.UnfenceBroker(broker.id(), broker.incarnation()));
                }
            }
            if (autoLeaderRebalance && now - lastImbalanceCheck >= imbalanceCheckIntervalMs) {
                lastImbalanceCheck = now;
                rebalanceLeaders(image);
            }
        } catch (RuntimeException e) {
            LOG.warn("Controller tick failed", e);
        } finally {
            ticking.set(false);
        }
    }

    private void rebalanceLeaders(ClusterImage image) {
        image.topics().values().forEach(topic -> {
            for (int p = 0; p < topic.partitions().size(); p++) {
                PartitionState state = topic.partitions().get(p);
                int preferred = state.replicas().get(0);
                if (state.leader() != preferred && state.isr().contains(preferred) && image.isActive(preferred) && !state.reassigning()) {
                    submit(new MetadataRecord.ElectPreferredLeader(topic.name(), p));
                }
            }
        });
    }

    private void submit(MetadataRecord record) {
        // one proposal of each kind at a time: ticks run faster than commits when the quorum is slow
        if (!inFlight.add(record)) {
            return;
        }
        log.submit(record).whenComplete((result, error) -> {
            inFlight.remove(record);
            if (error != null) {
                LOG.warn("Controller could not commit {}: {}", record, error.toString());
            } else if (!result.ok() && !result.error().equals("ELECTION_NOT_NEEDED")) {
                LOG.debug("Controller record {} refused: {}", record, result.error());
            }
        });
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
