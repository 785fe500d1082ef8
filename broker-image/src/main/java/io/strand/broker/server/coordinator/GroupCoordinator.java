package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.Partition;
import io.strand.broker.server.log.TopicInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator: routes each group to the shard of its {@code __consumer_offsets} partition
 * ({@code abs(groupId.hashCode()) % partitions}, Kafka's rule), takes the shard's lock and runs the group protocol,
 * offsets or admin operation there. Methods never block on other requests: a JoinGroup or SyncGroup that has to wait
 * for other members returns an incomplete future, completed by a later request or a timer. Thread-safe.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    /** Per shard: its state and the protocol logic bound to it. */
    record Shard(CoordinatorShard state, ClassicGroups classic, ConsumerGroups consumer, Offsets offsets) {
    }

    private final LogManager logs;
    private final GroupConfig config;
    private final Clock clock;
    private final TopicsView topics;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private volatile int partitionCount;
    private final GroupAdmin admin = new GroupAdmin(this);

    public GroupCoordinator(LogManager logs, GroupConfig config, Clock clock) {
        this.logs = logs;
        this.config = config;
        this.clock = clock;
        this.topics = TopicsView.of(logs);
        this.scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "strand-group-coordinator");
            t.setDaemon(true);
            return t;
        });
        // Heartbeats reschedule session timers constantly; cancelled ones must not pile up in the queue.
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * Creates {@code __consumer_offsets} once enough brokers are active (the controller does it, so brokers starting
     * together do not race), then coordinates the groups of exactly the partitions this broker leads: a shard is
     * loaded when leadership arrives and unloaded when it moves away.
     */
    public void start(short replicationFactor) {
        scheduler.scheduleWithFixedDelay(() -> ensureTopicAndLeadership(replicationFactor), 0, 500, TimeUnit.MILLISECONDS);
        logs.addRoleListener(p -> {
            if (p.topicPartition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                scheduler.execute(() -> syncLeadership(p.topicPartition().partition()));
            }
        });
        logs.addRemovalListener(tp -> {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                unload(tp.partition());
            }
        });
        scheduler.scheduleWithFixedDelay(this::expireOffsets, config.offsetsRetentionCheckIntervalMs(), config.offsetsRetentionCheckIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    private void ensureTopicAndLeadership(short replicationFactor) {
        try {
            TopicInfo topic = logs.topic(Topic.GROUP_METADATA_TOPIC_NAME);
            if (topic == null) {
                if (logs.metadata().log().isLeader() && logs.metadata().image().activeBrokers().size() >= replicationFactor) {
                    try {
                        logs.createTopic(Topic.GROUP_METADATA_TOPIC_NAME, config.offsetsTopicPartitions(), replicationFactor, null,
                                Map.of("cleanup.policy", "compact", "segment.bytes", Integer.toString(config.offsetsTopicSegmentBytes())));
                    } catch (TopicExistsException raced) {
                        // created meanwhile
                    }
                }
                return;
            }
            partitionCount = topic.partitions();
            for (int p = 0; p < partitionCount; p++) {
                syncLeadership(p);
            }
        } catch (RuntimeException e) {
            LOG.warn("Setting up {} failed; retrying", Topic.GROUP_METADATA_TOPIC_NAME, e);
        }
    }

    /** Loads or unloads one shard to match whether this broker leads its partition. */
    private synchronized void syncLeadership(int partition) {
        Partition local = logs.partition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
        boolean leads = local != null && local.isLeader();
        if (leads && !shards.containsKey(partition)) {
            load(partition);
        } else if (!leads && shards.containsKey(partition)) {
            LOG.info("Leadership of {}-{} moved away: no longer coordinating its groups", Topic.GROUP_METADATA_TOPIC_NAME, partition);
            unload(partition);
        }
    }

    /** Becomes coordinator for the groups of one partition: replays it, then serves them. */
    public void load(int partition) {
        Partition log = logs.partition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
        if (log == null) {
            LOG.warn("Cannot load {}-{}: no such partition", Topic.GROUP_METADATA_TOPIC_NAME, partition);
            return;
        }
        CoordinatorShard state = new CoordinatorShard(partition, log, clock, config, scheduler);
        ClassicGroups classic = new ClassicGroups(state);
        Shard shard = new Shard(state, classic, new ConsumerGroups(state, topics), new Offsets(state, classic, topics));
        shards.put(partition, shard);
        long start = System.nanoTime();
        try {
            long records = state.load();
            state.lock.lock();
            try {
                for (Group group : state.groups.values()) {
                    if (group instanceof ClassicGroup cg) {
                        classic.startTimers(cg);
                    } else if (group instanceof ConsumerGroup cg) {
                        shard.consumer().startTimers(cg);
                    }
                }
            } finally {
                state.lock.unlock();
            }
            if (records > 0) {
                LOG.info("Loaded {} group(s) from {} record(s) of {}-{} in {} ms", state.groups.size(), records, Topic.GROUP_METADATA_TOPIC_NAME,
                        partition, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Loading {}-{} failed; its groups are unavailable", Topic.GROUP_METADATA_TOPIC_NAME, partition, e);
            shards.remove(partition, shard);
        }
    }

    /** Stops coordinating the groups of one partition (its leadership moved): waiting requests get NOT_COORDINATOR. */
    public void unload(int partition) {
        Shard shard = shards.remove(partition);
        if (shard == null) {
            return;
        }
        shard.state().lock.lock();
        try {
            for (Group group : shard.state().groups.values()) {
                abandon(group, Errors.NOT_COORDINATOR);
            }
        } finally {
            shard.state().lock.unlock();
        }
        shard.state().unload();
    }

    /** Waits until every shard this broker leads is loaded (tests and orderly startup). */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long leading = logs.partitions().stream().filter(p -> p.topicPartition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME) && p.isLeader()).count();
            if (partitionCount > 0 && shards.size() == leading
                    && shards.values().stream().allMatch(s -> s.state().status() == CoordinatorShard.Status.ACTIVE)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    public int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % partitionCount;
    }

    /** NONE when this broker coordinates the group (loaded or loading), else why not. */
    public Errors coordinatorFor(String groupId) {
        if (partitionCount == 0) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        return shards.containsKey(partitionFor(groupId)) ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /** The broker leading the group's partition (its coordinator), or -1 while there is none or the topic is not there yet. */
    public int coordinatorNode(String groupId) {
        if (partitionCount == 0) {
            return -1;
        }
        return logs.metadata().image().topic(Topic.GROUP_METADATA_TOPIC_NAME)
                .map(t -> t.partitions().get(partitionFor(groupId)).leader()).orElse(-1);
    }

    // ---------------------------------------------------------------- routing

    @FunctionalInterface
    interface ShardOp<T> {
        CompletableFuture<T> apply(Shard shard) throws Exception;
    }

    <T> CompletableFuture<T> inShard(String groupId, Function<Errors, T> onError, ShardOp<T> op) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(onError.apply(Errors.INVALID_GROUP_ID));
        }
        Shard shard = partitionCount == 0 ? null : shards.get(partitionFor(groupId));
        if (shard == null) {
            return CompletableFuture.completedFuture(onError.apply(Errors.NOT_COORDINATOR));
        }
        shard.state().lock.lock();
        try {
            switch (shard.state().status()) {
                case LOADING:
                    return CompletableFuture.completedFuture(onError.apply(Errors.COORDINATOR_LOAD_IN_PROGRESS));
                case UNLOADED:
                    return CompletableFuture.completedFuture(onError.apply(Errors.NOT_COORDINATOR));
                default:
                    return op.apply(shard);
            }
        } catch (IOException | org.apache.kafka.common.KafkaException | io.strand.broker.storage.StorageException e) {
            // The append failed: nothing was acknowledged; a retriable error sends the client back to FindCoordinator.
            LOG.warn("Group {}: writing to {} failed", groupId, Topic.GROUP_METADATA_TOPIC_NAME, e);
            return CompletableFuture.completedFuture(onError.apply(Errors.COORDINATOR_NOT_AVAILABLE));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            shard.state().lock.unlock();
        }
    }

    /** Every active shard, locked one at a time (ListGroups, retention). */
    void forEachShard(java.util.function.Consumer<Shard> action) {
        for (Shard shard : shards.values()) {
            shard.state().lock.lock();
            try {
                if (shard.state().status() == CoordinatorShard.Status.ACTIVE) {
                    action.accept(shard);
                }
            } finally {
                shard.state().lock.unlock();
            }
        }
    }

    /** Receives committed offsets; returns false to stop the walk. */
    @FunctionalInterface
    public interface OffsetVisitor {
        boolean visit(String groupId, TopicPartition partition, long offset);
    }

    /**
     * Walks the committed offsets of the groups this broker coordinates, under each shard's lock in turn: for
     * metrics, which copy them and compute lag outside the lock, never on a request path.
     */
    public void forEachCommittedOffset(OffsetVisitor visitor) {
        boolean[] more = {true};
        forEachShard(shard -> {
            for (var group : shard.state().offsets.entrySet()) {
                for (var offset : group.getValue().entrySet()) {
                    if (!more[0] || !(more[0] = visitor.visit(group.getKey(), offset.getKey(), offset.getValue().offset()))) {
                        return;
                    }
                }
            }
        });
    }

    boolean anyShardLoading() {
        return partitionCount == 0 || shards.values().stream().anyMatch(s -> s.state().status() == CoordinatorShard.Status.LOADING);
    }

    public GroupAdmin admin() {
        return admin;
    }

    TopicsView topics() {
        return topics;
    }

    GroupConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- classic protocol

    public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short version, String clientId, String clientHost) {
        return inShard(request.groupId(), e -> ClassicGroups.joinError(e, request.memberId()), shard -> {
            if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
                return CompletableFuture.completedFuture(ClassicGroups.joinError(Errors.INVALID_SESSION_TIMEOUT, request.memberId()));
            }
            Group existing = shard.state().groups.get(request.groupId());
            if (existing instanceof ConsumerGroup cg) {
                if (!cg.isEmpty()) {
                    return CompletableFuture.completedFuture(ClassicGroups.joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
                }
                convert(shard, cg, CoordinatorRecords.CONSUMER_GROUP);
                existing = null;
            }
            if (existing == null) {
                if (!request.memberId().isEmpty()) {
                    return CompletableFuture.completedFuture(ClassicGroups.joinError(Errors.UNKNOWN_MEMBER_ID, request.memberId()));
                }
                existing = new ClassicGroup(request.groupId(), clock.millis());
                shard.state().groups.put(request.groupId(), existing);
            }
            return shard.classic().join((ClassicGroup) existing, request, version, new ClassicGroups.Client(clientId, clientHost));
        });
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short version) {
        return inShard(request.groupId(), e -> new SyncGroupResponseData().setErrorCode(e.code()), shard -> {
            if (!(shard.state().groups.get(request.groupId()) instanceof ClassicGroup group)) {
                return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            return shard.classic().sync(group, request, version);
        });
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(HeartbeatRequestData request) {
        return inShard(request.groupId(), e -> new HeartbeatResponseData().setErrorCode(e.code()), shard -> {
            if (!(shard.state().groups.get(request.groupId()) instanceof ClassicGroup group)) {
                return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            return CompletableFuture.completedFuture(shard.classic().heartbeat(group, request));
        });
    }

    /** LeaveGroup in the v3+ shape (a batch of members); the handler adapts v0-v2. */
    public CompletableFuture<LeaveGroupResponseData> leaveGroup(LeaveGroupRequestData request) {
        return inShard(request.groupId(), e -> new LeaveGroupResponseData().setErrorCode(e.code()), shard -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
            Group group = shard.state().groups.get(request.groupId());
            if (!(group instanceof ClassicGroup classic)) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            for (LeaveGroupRequestData.MemberIdentity member : request.members()) {
                response.members().add(shard.classic().leave(classic, member));
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    // ---------------------------------------------------------------- consumer protocol (KIP-848)

    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(ConsumerGroupHeartbeatRequestData request, String clientId,
                                                                                          String clientHost) {
        return inShard(request.groupId(), e -> ConsumerGroups.error(e, null), shard -> {
            Group existing = shard.state().groups.get(request.groupId());
            if (existing instanceof ClassicGroup cg) {
                if (!cg.isEmpty()) {
                    return CompletableFuture.completedFuture(ConsumerGroups.error(Errors.GROUP_ID_NOT_FOUND,
                            "Group " + request.groupId() + " is not a consumer group: it has classic-protocol members."));
                }
                convert(shard, cg, CoordinatorRecords.CLASSIC_GROUP);
                existing = null;
            }
            if (existing == null) {
                if (request.memberEpoch() != 0) {
                    return CompletableFuture.completedFuture(ConsumerGroups.error(Errors.UNKNOWN_MEMBER_ID, "Group " + request.groupId() + " has no members."));
                }
                existing = new ConsumerGroup(request.groupId(), clock.millis());
                shard.state().groups.put(request.groupId(), existing);
            }
            try {
                return CompletableFuture.completedFuture(shard.consumer().heartbeat((ConsumerGroup) existing, request, clientId, clientHost));
            } catch (ConsumerGroups.Rejected rejected) {
                return CompletableFuture.completedFuture(ConsumerGroups.error(rejected.error, rejected.getMessage()));
            }
        });
    }

    /** An empty group of one type becomes a group of the other; its offsets stay. */
    private static void convert(Shard shard, Group old, short oldType) throws IOException {
        shard.state().append(List.of(new RecordSets.KeyValue(CoordinatorRecords.groupKey(oldType, old.groupId()), null)));
        abandon(old, Errors.UNKNOWN_MEMBER_ID);
        shard.state().groups.remove(old.groupId());
        LOG.info("Empty {} group {} becomes a group of the other protocol", old.type(), old.groupId());
    }

    static void abandon(Group group, Errors error) {
        if (group instanceof ClassicGroup cg) {
            ClassicGroups.abandon(cg, error);
        } else if (group instanceof ConsumerGroup cg) {
            cg.members.values().forEach(ConsumerGroups::cancelTimers);
        }
    }

    // ---------------------------------------------------------------- offsets

    public CompletableFuture<OffsetCommitResponseData> offsetCommit(OffsetCommitRequestData request, short version) {
        return inShard(request.groupId(), e -> OffsetResponses.commitError(request, version, e),
                shard -> shard.offsets().commit(shard.state().groups.get(request.groupId()), request, version));
    }

    public CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup> offsetFetch(OffsetFetchRequestData.OffsetFetchRequestGroup request,
                                                                                            short version) {
        return inShard(request.groupId(), e -> new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(request.groupId()).setErrorCode(e.code()),
                shard -> CompletableFuture.completedFuture(shard.offsets().fetch(shard.state().groups.get(request.groupId()), request, version)));
    }

    // ---------------------------------------------------------------- retention

    private void expireOffsets() {
        forEachShard(shard -> {
            for (String groupId : shard.offsets().expire()) {
                Group group = shard.state().groups.get(groupId);
                try {
                    short type = group instanceof ClassicGroup ? CoordinatorRecords.CLASSIC_GROUP : CoordinatorRecords.CONSUMER_GROUP;
                    shard.state().append(List.of(new RecordSets.KeyValue(CoordinatorRecords.groupKey(type, groupId), null)));
                    shard.state().groups.remove(groupId);
                    LOG.info("Removed group {}: empty with no offsets left", groupId);
                } catch (IOException e) {
                    LOG.warn("Could not remove expired group {}", groupId, e);
                }
            }
        });
    }

    /** Offsets of a group, for tests and tools: topic-partition to committed offset. */
    Map<TopicPartition, Long> committedOffsets(String groupId) {
        Map<TopicPartition, Long> out = new HashMap<>();
        forEachShard(shard -> shard.state().offsets.getOrDefault(groupId, Map.of()).forEach((tp, o) -> out.put(tp, o.offset())));
        return out;
    }

    List<Group> groups() {
        List<Group> out = new ArrayList<>();
        forEachShard(shard -> out.addAll(shard.state().groups.values()));
        return out;
    }

    @Override
    public void close() {
        for (Integer partition : new ArrayList<>(shards.keySet())) {
            unload(partition);
        }
        scheduler.shutdownNow();
    }
}
