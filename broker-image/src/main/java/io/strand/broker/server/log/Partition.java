package io.strand.broker.server.log;

import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.storage.AppendResult;
import io.strand.broker.storage.LogConfig;
import io.strand.broker.storage.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * One replica of a partition on this broker: its log, its replication state from the cluster metadata (leader, leader
 * epoch, ISR), and the high watermark. The leader's high watermark is the smallest log end offset among the ISR
 * (a sole in-sync replica commits on append); a follower's is what its leader last told it. Thread-safe: the log
 * serialises appends; listeners run on the appending thread and must only hand work to their own event loop.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final int localBrokerId;
    private final PartitionLog log;
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> highWatermarkListeners = new CopyOnWriteArrayList<>();
    private volatile boolean compacted;
    private volatile PartitionState state;
    private volatile long highWatermark;
    private final FollowerTracker followers;
    /** Waiters for the high watermark to pass an offset (acks=all, coordinator writes), smallest offset first. */
    private final PriorityQueue<CommitWaiter> commitWaiters = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));

    private record CommitWaiter(long offset, CompletableFuture<Void> future) {
    }

    Partition(TopicPartition topicPartition, Uuid topicId, int localBrokerId, PartitionLog log, boolean compacted, PartitionState state) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.compacted = compacted;
        this.state = state;
        // Until followers report their progress, only what is surely committed is visible: everything for a sole replica,
        // else the log start (the high watermark only moves forward from there).
        this.highWatermark = soleReplica() ? log.logEndOffset() : log.logStartOffset();
        this.followers = new FollowerTracker(localBrokerId);
        this.followers.reset(state, System.currentTimeMillis());
        if (isLeader()) assignLeaderEpochStart();
    }

    /** A new leader records where its epoch starts (Kafka does this at election), so followers can find divergence. */
    private void assignLeaderEpochStart() {
        try {
            log.assignEpochStart(state.leaderEpoch());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The leader's view of its followers (meaningful while this replica leads). */
    public FollowerTracker followers() {
        return followers;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public boolean compacted() {
        return compacted;
    }

    public PartitionState state() {
        return state;
    }

    public int localBrokerId() {
        return localBrokerId;
    }

    public boolean isLeader() {
        return state.leader() == localBrokerId;
    }

    /** The leader epoch stamped on batches this replica appends as leader. */
    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /** Offsets below this are committed and visible to consumers. */
    public long highWatermark() {
        return highWatermark;
    }

    /** Only the ISR's own replica: appends commit at once (no follower to wait for). */
    public boolean soleReplica() {
        return state.isr().size() == 1 && state.isr().get(0) == localBrokerId && state.replicas().size() == 1;
    }

    /** Moves the high watermark forward (never back) and wakes what waits on it. */
    public void advanceHighWatermark(long offset) {
        long bounded = Math.min(offset, log.logEndOffset());
        boolean moved = false;
        synchronized (this) {
            if (bounded > highWatermark) {
                highWatermark = bounded;
                moved = true;
            }
        }
        if (moved) {
            completeCommitWaiters();
            highWatermarkListeners.forEach(Runnable::run);
            appendListeners.forEach(Runnable::run);
        }
    }

    /** A follower sets what its leader said; after truncation the high watermark may also move back. */
    public void setHighWatermark(long offset) {
        boolean moved;
        synchronized (this) {
            long next = Math.min(offset, log.logEndOffset());
            moved = next > highWatermark;
            highWatermark = next;
        }
        if (moved) appendListeners.forEach(Runnable::run);
    }

    /**
     * Appends as leader (like {@link #append}) and completes once the high watermark passed the appended batches, i.e.
     * the whole ISR has them. Fails with NotLeaderOrFollowerException when leadership moves first. A duplicate batch
     * completes when its original offsets are committed.
     */
    public CompletableFuture<AppendResult> appendAndAwaitCommit(ByteBuffer batches) throws IOException {
        AppendResult result = append(batches);
        return awaitHighWatermark(result.lastOffset() + 1).thenApply(v -> result);
    }

    /** Completes when the high watermark reaches {@code offset}; fails if this replica stops leading in this epoch first. */
    public CompletableFuture<Void> awaitHighWatermark(long offset) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (commitWaiters) {
            commitWaiters.add(new CommitWaiter(offset, future));
        }
        completeCommitWaiters();
        return future;
    }

    /** Stops waiting (a timed-out produce) so the waiter does not linger. */
    public void cancelWait(CompletableFuture<Void> future) {
        synchronized (commitWaiters) {
            commitWaiters.removeIf(w -> w.future() == future);
        }
    }

    private void completeCommitWaiters() {
        List<CommitWaiter> ready = new java.util.ArrayList<>();
        long hw = highWatermark;
        synchronized (commitWaiters) {
            while (!commitWaiters.isEmpty() && commitWaiters.peek().offset() <= hw) {
                ready.add(commitWaiters.poll());
            }
        }
        ready.forEach(w -> w.future().complete(null));
    }

    private void failCommitWaiters() {
        List<CommitWaiter> failed;
        synchronized (commitWaiters) {
            failed = List.copyOf(commitWaiters);
            commitWaiters.clear();
        }
        NotLeaderOrFollowerException error = new NotLeaderOrFollowerException("leadership of " + topicPartition + " moved");
        failed.forEach(w -> w.future().completeExceptionally(error));
    }

    /**
     * Leader: the high watermark the ISR allows now (smallest log end offset among them), applied if it moved forward.
     */
    public void maybeAdvanceHighWatermark() {
        PartitionState s = state;
        if (s.leader() != localBrokerId) return;
        long hw = followers.highWatermark(s, log.logEndOffset());
        if (hw >= 0) advanceHighWatermark(hw);
    }

    /** Leader: a follower fetched at {@code fetchOffset}; updates its position and the high watermark. */
    public void followerFetched(int replicaId, long fetchOffset, long nowMs) {
        followers.onFetch(replicaId, fetchOffset, log.logEndOffset(), nowMs);
        maybeAdvanceHighWatermark();
    }

    /** Follower: appends what the leader sent, keeping its offsets and epochs. */
    public AppendResult appendAsFollower(ByteBuffer batches) throws IOException {
        AppendResult result = log.appendAsFollower(batches);
        if (result != null) log.maybeFlush();
        return result;
    }

    /** Follower: cuts the log (divergence with the leader); the high watermark follows it down. */
    public void truncateTo(long offset) throws IOException {
        log.truncateTo(offset);
        synchronized (this) {
            highWatermark = Math.min(highWatermark, log.logEndOffset());
        }
    }

    /** Follower: empties the log and restarts it at {@code offset} (the leader's log start). */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        log.truncateFullyAndStartAt(offset);
        synchronized (this) {
            highWatermark = log.logEndOffset();
        }
    }

    public AppendResult append(ByteBuffer batches) throws IOException {
        AppendResult result = log.append(batches, leaderEpoch());
        log.maybeFlush();
        if (!result.duplicate()) {
            if (state.isr().size() <= 1 && state.isr().contains(localBrokerId)) {
                advanceHighWatermark(log.logEndOffset());
            }
            for (Runnable listener : appendListeners) {
                listener.run();
            }
        }
        return result;
    }

    /** Wakes fetches waiting for data (consumer long polls) and follower fetches. */
    public void addAppendListener(Runnable listener) {
        appendListeners.add(listener);
    }

    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    /** Wakes produce requests waiting for acks=all. */
    public void addHighWatermarkListener(Runnable listener) {
        highWatermarkListeners.add(listener);
    }

    public void removeHighWatermarkListener(Runnable listener) {
        highWatermarkListeners.remove(listener);
    }

    void reconfigure(LogConfig config, boolean compacted) {
        log.updateConfig(config);
        this.compacted = compacted;
    }

    void updateState(PartitionState next) {
        PartitionState previous = this.state;
        this.state = next;
        boolean leads = next.leader() == localBrokerId;
        if (previous.leaderEpoch() != next.leaderEpoch() || !leads) {
            // an acknowledgement promised under the old leadership can no longer be kept: the log may be truncated
            failCommitWaiters();
        }
        if (leads && previous.leaderEpoch() != next.leaderEpoch()) assignLeaderEpochStart();
        followers.stateChanged(next, System.currentTimeMillis());
        if (leads && next.isr().size() == 1 && next.isr().get(0) == localBrokerId) {
            advanceHighWatermark(log.logEndOffset());
        } else if (leads) {
            maybeAdvanceHighWatermark();
        }
    }
}
