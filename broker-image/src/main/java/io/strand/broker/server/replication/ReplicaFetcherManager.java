package io.strand.broker.server.replication;

import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.Partition;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link ReplicaFetcher} per leader broker and assigns every local follower replica to the fetcher of its
 * current leader, following the role changes the {@link LogManager} reports: a replica that becomes leader (or loses
 * its leader) stops fetching; one that follows a new leader or epoch moves to that leader's fetcher.
 */
public final class ReplicaFetcherManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final LogManager logs;
    private final ClusterMetadata metadata;
    private final BrokerConfig config;
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    private final ReplicationThrottle throttle;
    private boolean closed;

    public ReplicaFetcherManager(LogManager logs, ClusterMetadata metadata, BrokerConfig config) {
        this.throttle = new ReplicationThrottle(config.replicationThrottledRate());
        this.logs = logs;
        this.metadata = metadata;
        this.config = config;
    }

    public void start() {
        logs.addRoleListener(this::onRoleChange);
        logs.addRemovalListener(this::onRemoved);
        logs.partitions().forEach(this::onRoleChange);
    }

    synchronized void onRoleChange(Partition partition) {
        if (closed) {
            return;
        }
        PartitionState state = partition.state();
        TopicPartition tp = partition.topicPartition();
        int self = config.nodeId();
        int leader = state.leader();
        boolean follows = state.hasLeader() && leader != self && state.replicas().contains(self);
        for (Map.Entry<Integer, ReplicaFetcher> e : fetchers.entrySet()) {
            if (!follows || e.getKey() != leader) {
                e.getValue().remove(tp);
            }
        }
        if (!follows) {
            return;
        }
        ReplicaFetcher fetcher = fetchers.computeIfAbsent(leader, id -> {
            ReplicaFetcher f = new ReplicaFetcher(id, self, metadata, config.replicaFetchMaxBytes(), config.replicaFetchWaitMaxMs(), throttle);
            f.start();
            return f;
        });
        LOG.debug("{} follows broker {} in leader epoch {}", tp, leader, state.leaderEpoch());
        fetcher.add(partition, state.leaderEpoch());
    }

    synchronized void onRemoved(TopicPartition tp) {
        fetchers.values().forEach(f -> f.remove(tp));
    }

    @Override
    public synchronized void close() {
        closed = true;
        fetchers.values().forEach(ReplicaFetcher::shutdown);
        for (ReplicaFetcher f : fetchers.values()) {
            try {
                f.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fetchers.clear();
    }
}
