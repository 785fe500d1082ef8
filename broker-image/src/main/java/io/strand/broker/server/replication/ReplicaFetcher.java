package io.strand.broker.server.replication;

import io.strand.broker.protocol.ClientCodec;
import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.log.Partition;
import io.strand.broker.storage.AppendResult;
import io.strand.broker.storage.LeaderEpochCache;
import io.strand.broker.storage.PartitionLog;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One follower fetcher thread per source (leader) broker, as in Kafka: it sends Fetch requests for every partition
 * this broker follows from that leader over one blocking connection, appends what comes back keeping the leader's
 * offsets and epochs, takes the leader's high watermark, and truncates where the leader says the logs diverge.
 */
final class ReplicaFetcher extends Thread {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    static final short FETCH_VERSION = 15;
    private static final int RESPONSE_MAX_BYTES = 10 * 1024 * 1024;
    private static final long RETRY_BACKOFF_MS = 200;
    private static final long ERROR_BACKOFF_MS = 1000;

    /** A partition this thread fetches: the replica and the leader epoch it follows. */
    static final class FetchState {
        final Partition partition;
        final int leaderEpoch;
        volatile long delayedUntilMs;

        FetchState(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final int sourceBrokerId;
    private final int localBrokerId;
    private final ClusterMetadata metadata;
    private final int partitionMaxBytes;
    private final ReplicationThrottle throttle;
    private final int maxWaitMs;
    private final Map<TopicPartition, FetchState> partitions = new ConcurrentHashMap<>();
    private final Object wakeup = new Object();
    private volatile boolean running = true;
    private volatile Socket socket;
    private int correlationId;

    ReplicaFetcher(int sourceBrokerId, int localBrokerId, ClusterMetadata metadata, int partitionMaxBytes, int maxWaitMs,
                   ReplicationThrottle throttle) {
        super("strand-replica-fetcher-" + localBrokerId + "-from-" + sourceBrokerId);
        setDaemon(true);
        this.throttle = throttle;
        this.sourceBrokerId = sourceBrokerId;
        this.localBrokerId = localBrokerId;
        this.metadata = metadata;
        this.partitionMaxBytes = partitionMaxBytes;
        this.maxWaitMs = maxWaitMs;
    }

    /** Follows {@code partition} from this thread's leader in {@code leaderEpoch} (replacing an older epoch). */
    void add(Partition partition, int leaderEpoch) {
        FetchState current = partitions.get(partition.topicPartition());
        if (current != null && current.partition == partition && current.leaderEpoch == leaderEpoch) {
            return;
        }
        partitions.put(partition.topicPartition(), new FetchState(partition, leaderEpoch));
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    void remove(TopicPartition tp) {
        partitions.remove(tp);
    }

    boolean isEmpty() {
        return partitions.isEmpty();
    }

    void shutdown() {
        running = false;
        interrupt();
        closeSocket();
    }

    @Override
    public void run() {
        while (running) {
            try {
                List<FetchState> ready = readyPartitions();
                if (ready.isEmpty()) {
                    synchronized (wakeup) {
                        wakeup.wait(100);
                    }
                    continue;
                }
                fetchOnce(ready);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.debug("Fetch from broker {} failed: {}", sourceBrokerId, e.toString());
                closeSocket();
                sleepQuietly(RETRY_BACKOFF_MS * 2);
            }
        }
        closeSocket();
    }

    private List<FetchState> readyPartitions() {
        long now = System.currentTimeMillis();
        List<FetchState> ready = new ArrayList<>();
        for (FetchState s : partitions.values()) {
            if (s.delayedUntilMs <= now) {
                ready.add(s);
            }
        }
        return ready;
    }

    private void fetchOnce(List<FetchState> ready) throws IOException {
        FetchRequestData request = new FetchRequestData()
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(localBrokerId).setReplicaEpoch(-1))
                .setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(RESPONSE_MAX_BYTES).setIsolationLevel((byte) 0)
                .setSessionId(0).setSessionEpoch(-1);
        Map<Uuid, FetchRequestData.FetchTopic> topics = new HashMap<>();
        Map<TopicPartition, Long> fetchOffsets = new HashMap<>();
        for (FetchState s : ready) {
            Partition p = s.partition;
            PartitionLog log = p.log();
            long fetchOffset = log.logEndOffset();
            fetchOffsets.put(p.topicPartition(), fetchOffset);
            topics.computeIfAbsent(p.topicId(), id -> {
                FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopicId(id).setTopic(p.topicPartition().topic());
                request.topics().add(t);
                return t;
            }).partitions().add(new FetchRequestData.FetchPartition().setPartition(p.topicPartition().partition())
                    .setCurrentLeaderEpoch(s.leaderEpoch).setFetchOffset(fetchOffset).setLastFetchedEpoch(log.latestEpoch())
                    .setLogStartOffset(log.logStartOffset()).setPartitionMaxBytes(throttled(p)
                            ? (int) Math.max(1, Math.min(partitionMaxBytes, throttle.bytesPerSecond())) : partitionMaxBytes));
        }
        Socket s = connect();
        int id = ++correlationId;
        ByteBuffer frame = ClientCodec.encodeRequest(ApiKeys.FETCH, FETCH_VERSION, id, "strand-replica-fetcher-" + localBrokerId, request);
        OutputStream out = s.getOutputStream();
        out.write(frame.array(), frame.arrayOffset(), frame.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        int size = in.readInt();
        if (size < 0 || size > RESPONSE_MAX_BYTES * 2 + 1024 * 1024) {
            throw new IOException("bad response size " + size);
        }
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        ClientCodec.Response<FetchResponseData> response = ClientCodec.decodeFetchResponse(ByteBuffer.wrap(bytes), FETCH_VERSION);
        if (response.correlationId() != id) {
            throw new IOException("correlation id " + response.correlationId() + " does not match " + id);
        }
        FetchResponseData body = response.body();
        if (body.errorCode() != Errors.NONE.code()) {
            LOG.warn("Fetch from broker {} failed: {}", sourceBrokerId, Errors.forCode(body.errorCode()));
            ready.forEach(st -> st.delayedUntilMs = System.currentTimeMillis() + ERROR_BACKOFF_MS);
            return;
        }
        Map<Uuid, String> names = new HashMap<>();
        ready.forEach(st -> names.put(st.partition.topicId(), st.partition.topicPartition().topic()));
        for (FetchResponseData.FetchableTopicResponse topic : body.responses()) {
            String name = names.get(topic.topicId());
            if (name == null) {
                continue;
            }
            for (FetchResponseData.PartitionData pd : topic.partitions()) {
                TopicPartition tp = new TopicPartition(name, pd.partitionIndex());
                FetchState state = partitions.get(tp);
                Long fetchOffset = fetchOffsets.get(tp);
                if (state == null || fetchOffset == null || !ready.contains(state)) {
                    continue; // stopped following it meanwhile
                }
                try {
                    handlePartition(state, fetchOffset, pd);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Replicating {} from broker {} failed; retrying", tp, sourceBrokerId, e);
                    state.delayedUntilMs = System.currentTimeMillis() + ERROR_BACKOFF_MS;
                }
            }
        }
    }

    private void handlePartition(FetchState state, long fetchOffset, FetchResponseData.PartitionData pd) throws IOException {
        Partition partition = state.partition;
        PartitionState current = partition.state();
        if (current.leader() != sourceBrokerId || current.leaderEpoch() != state.leaderEpoch || partition.log().logEndOffset() != fetchOffset) {
            return; // the role changed or the log moved while the request was out
        }
        Errors error = Errors.forCode(pd.errorCode());
        switch (error) {
            case NONE -> {
                FetchResponseData.EpochEndOffset diverging = pd.divergingEpoch();
                if (diverging != null && (diverging.epoch() >= 0 || diverging.endOffset() >= 0)) {
                    truncateOnDivergence(state, diverging);
                    return;
                }
                ByteBuffer records = ClientCodec.recordsOf(pd);
                if (records.hasRemaining() && throttled(partition)) {
                    long waitMs = throttle.charge(records.remaining());
                    if (waitMs > 0) {
                        state.delayedUntilMs = System.currentTimeMillis() + waitMs;
                    }
                }
                if (records.hasRemaining()) {
                    AppendResult appended = partition.appendAsFollower(records);
                    if (appended == null && records.remaining() > 0 && pd.highWatermark() > fetchOffset) {
                        LOG.debug("Fetched no complete batch of {} at {}", partition.topicPartition(), fetchOffset);
                    }
                }
                long leaderStart = pd.logStartOffset();
                PartitionLog log = partition.log();
                if (leaderStart > log.logStartOffset() && leaderStart <= log.logEndOffset()) {
                    log.deleteRecordsBefore(leaderStart);
                }
                if (pd.highWatermark() >= 0) {
                    partition.setHighWatermark(pd.highWatermark());
                }
            }
            case OFFSET_OUT_OF_RANGE -> {
                long leaderStart = pd.logStartOffset();
                if (leaderStart >= 0 && fetchOffset < leaderStart) {
                    LOG.info("{}: fetch offset {} is below the leader's log start {}; restarting the log there",
                            partition.topicPartition(), fetchOffset, leaderStart);
                    partition.truncateFullyAndStartAt(leaderStart);
                } else if (pd.highWatermark() >= 0 && pd.highWatermark() < fetchOffset) {
                    LOG.info("{}: fetch offset {} is beyond the leader's log; truncating to its high watermark {}",
                            partition.topicPartition(), fetchOffset, pd.highWatermark());
                    partition.truncateTo(pd.highWatermark());
                } else {
                    state.delayedUntilMs = System.currentTimeMillis() + ERROR_BACKOFF_MS;
                }
            }
            case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION,
                 LEADER_NOT_AVAILABLE -> {
                // the leader and we disagree about the metadata: wait for it to settle (a role change re-adds us at once)
                state.delayedUntilMs = System.currentTimeMillis() + RETRY_BACKOFF_MS;
            }
            default -> {
                LOG.warn("Fetching {} from broker {} failed: {}", partition.topicPartition(), sourceBrokerId, error);
                state.delayedUntilMs = System.currentTimeMillis() + ERROR_BACKOFF_MS;
            }
        }
    }

    /** Kafka's truncation on a divergingEpoch: cut the log where our copy of that epoch ends, or the leader's does. */
    private void truncateOnDivergence(FetchState state, FetchResponseData.EpochEndOffset diverging) throws IOException {
        Partition partition = state.partition;
        PartitionLog log = partition.log();
        long leo = log.logEndOffset();
        long target;
        if (diverging.endOffset() < 0) {
            target = partition.highWatermark();
        } else {
            LeaderEpochCache.EpochEnd mine = log.endOffsetForEpoch(diverging.epoch());
            if (mine.undefined()) {
                target = Math.min(diverging.endOffset(), leo);
            } else if (mine.epoch() != diverging.epoch()) {
                target = Math.min(mine.endOffset(), leo);
            } else {
                target = Math.min(Math.min(diverging.endOffset(), mine.endOffset()), leo);
            }
        }
        LOG.info("{}: log diverges from leader {} (epoch {} ends at {} there); truncating from {} to {}", partition.topicPartition(),
                sourceBrokerId, diverging.epoch(), diverging.endOffset(), leo, target);
        partition.truncateTo(Math.max(0, target));
        if (log.logEndOffset() >= leo) {
            state.delayedUntilMs = System.currentTimeMillis() + ERROR_BACKOFF_MS; // no progress: do not spin
        }
    }

    private Socket connect() throws IOException {
        Socket s = socket;
        if (s != null && !s.isClosed()) {
            return s;
        }
        BrokerRegistration leader = metadata.image().brokers().get(sourceBrokerId);
        if (leader == null) {
            throw new IOException("broker " + sourceBrokerId + " is not registered");
        }
        s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(maxWaitMs + 30_000);
            s.connect(new InetSocketAddress(leader.host(), leader.port()), 5_000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        return s;
    }

    /** Replicas this broker is being added as (a reassignment) copy under the throttle; in-sync replication never does. */
    private boolean throttled(Partition partition) {
        return throttle.enabled() && partition.state().adding().contains(localBrokerId);
    }

    private void closeSocket() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // shutdown checks running
        }
    }
}
