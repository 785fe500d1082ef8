package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.coordinator.CoordinatorRecords.CommittedOffset;
import io.strand.broker.server.log.Partition;
import io.strand.broker.storage.LogSlice;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups and committed offsets of one {@code __consumer_offsets} partition. All state is guarded by {@link #lock};
 * every change is appended to the partition before the request that caused it is answered, and {@link #load}
 * rebuilds the state from the partition, so coordinatorship can move with the partition (load on one broker, unload
 * on another). Timers run on the coordinator's scheduler and take the lock; a timer from before an unload does nothing.
 */
final class CoordinatorShard {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorShard.class);
    private static final int READ_BYTES = 1 << 20;

    enum Status { LOADING, ACTIVE, UNLOADED }

    final int index;
    final Partition partition;
    final Clock clock;
    final GroupConfig config;
    private final ScheduledExecutorService scheduler;
    final ReentrantLock lock = new ReentrantLock();
    private volatile Status status = Status.LOADING;
    final Map<String, Group> groups = new HashMap<>();
    final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();

    CoordinatorShard(int index, Partition partition, Clock clock, GroupConfig config, ScheduledExecutorService scheduler) {
        this.index = index;
        this.partition = partition;
        this.clock = clock;
        this.config = config;
        this.scheduler = scheduler;
    }

    Status status() {
        return status;
    }

    long now() {
        return clock.millis();
    }

    /**
     * Appends records in one batch; the caller holds the lock, so the log order is the order changes were made. The
     * future completes once the batch is committed (on every in-sync replica), which is when an acknowledgement
     * survives the loss of this broker; it fails if leadership moves first.
     */
    CompletableFuture<Void> append(List<RecordSets.KeyValue> records) throws IOException {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return partition.appendAndAwaitCommit(RecordSets.batchOf(records, now())).thenApply(r -> null);
    }

    /** Runs {@code task} under the lock after {@code delayMs}, unless the shard has been unloaded by then. */
    ScheduledFuture<?> schedule(long delayMs, Runnable task) {
        return scheduler.schedule(() -> {
            lock.lock();
            try {
                if (status == Status.ACTIVE) {
                    task.run();
                }
            } catch (RuntimeException e) {
                LOG.error("Group coordinator timer failed in shard {}", index, e);
            } finally {
                lock.unlock();
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    /** Replays the partition from its start: later records win, tombstones delete. Returns the number of records read. */
    long load() throws IOException {
        long offset = partition.log().logStartOffset();
        long records = 0;
        lock.lock();
        try {
            while (offset < partition.log().logEndOffset()) {
                LogSlice slice = partition.log().read(offset, READ_BYTES, true, Long.MAX_VALUE);
                if (slice.isEmpty()) {
                    break;
                }
                RecordSets.ReadRecords read = RecordSets.readRecords(slice.channel(), slice.position(), slice.length(), offset);
                for (RecordSets.LoggedRecord record : read.records()) {
                    if (record.key() != null) {
                        replay(CoordinatorRecords.readKey(record.key()), record.value());
                        records++;
                    }
                }
                if (read.nextOffset() <= offset) {
                    break;
                }
                offset = read.nextOffset();
            }
            // A group known only from its offsets (a simple consumer, or admin commits) is an empty classic group.
            for (String groupId : offsets.keySet()) {
                groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, now()));
            }
            status = Status.ACTIVE;
            return records;
        } finally {
            lock.unlock();
        }
    }

    private void replay(CoordinatorRecords.Key key, java.nio.ByteBuffer value) {
        switch (key.type()) {
            case CoordinatorRecords.OFFSET -> {
                if (value == null) {
                    Map<TopicPartition, CommittedOffset> group = offsets.get(key.groupId());
                    if (group != null) {
                        group.remove(key.partition());
                        if (group.isEmpty()) {
                            offsets.remove(key.groupId());
                        }
                    }
                } else {
                    CommittedOffset offset = CoordinatorRecords.readOffset(value);
                    if (offset != null) {
                        offsets.computeIfAbsent(key.groupId(), g -> new HashMap<>()).put(key.partition(), offset);
                    }
                }
            }
            case CoordinatorRecords.CLASSIC_GROUP, CoordinatorRecords.CONSUMER_GROUP -> {
                if (value == null) {
                    groups.remove(key.groupId());
                    return;
                }
                Group group = key.type() == CoordinatorRecords.CLASSIC_GROUP
                        ? CoordinatorRecords.readClassicGroup(key.groupId(), value)
                        : CoordinatorRecords.readConsumerGroup(key.groupId(), value);
                if (group != null) {
                    groups.put(key.groupId(), group);
                }
            }
            default -> LOG.warn("Skipping __consumer_offsets record of unknown type {} (group {})", key.type(), key.groupId());
        }
    }

    /** Stops timers and forgets all state; pending requests get NOT_COORDINATOR so clients find the new coordinator. */
    List<Group> unload() {
        lock.lock();
        try {
            status = Status.UNLOADED;
            List<Group> dropped = new ArrayList<>(groups.values());
            groups.clear();
            offsets.clear();
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
