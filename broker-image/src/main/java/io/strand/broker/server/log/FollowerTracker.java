package io.strand.broker.server.log;

import io.strand.broker.server.cluster.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a partition leader knows about its followers (Kafka's Replica state on the leader): each follower's log end
 * offset (the offset of its last fetch) and when it was last caught up. From that it decides the high watermark
 * (smallest log end offset over the ISR, including members of an ISR change in flight) and ISR changes: a follower
 * outside the ISR that reached the high watermark and the current epoch's start joins; an ISR follower that has not
 * caught up for {@code replica.lag.time.max.ms} leaves. Pure bookkeeping, no I/O: thread-safe (synchronized).
 */
public final class FollowerTracker {
    /** A follower as the leader sees it; {@code logEndOffset} is -1 until it fetched under this leadership. */
    public record Follower(long logEndOffset, long lastCaughtUpMs, long lastFetchMs, long leaderEndOffsetAtLastFetch) {
    }

    private final int leaderId;
    private final Map<Integer, Follower> followers = new HashMap<>();
    private int leaderEpoch = -1;
    /** An ISR change proposed and not yet applied (or refused): its members count for the high watermark. */
    private List<Integer> pendingIsr;
    private int pendingBasisPartitionEpoch = -1;
    /** After a refusal, no new proposal until the partition epoch moves or this time passes. */
    private int refusedPartitionEpoch = -1;
    private long refusedUntilMs;

    public FollowerTracker(int leaderId) {
        this.leaderId = leaderId;
    }

    /** Starts tracking afresh for a new leadership: no follower position is known; ISR members count as caught up now. */
    public synchronized void reset(PartitionState state, long nowMs) {
        followers.clear();
        leaderEpoch = state.leaderEpoch();
        pendingIsr = null;
        refusedPartitionEpoch = -1;
        for (int replica : state.replicas()) {
            if (replica != leaderId) {
                followers.put(replica, new Follower(-1, state.isr().contains(replica) ? nowMs : 0, 0, -1));
            }
        }
    }

    public synchronized int leaderEpoch() {
        return leaderEpoch;
    }

    /** A new image: forget what was pending once the partition moved past the state it was based on; add new replicas. */
    public synchronized void stateChanged(PartitionState state, long nowMs) {
        if (state.leaderEpoch() != leaderEpoch) {
            reset(state, nowMs);
            return;
        }
        if (pendingIsr != null && state.partitionEpoch() != pendingBasisPartitionEpoch) {
            pendingIsr = null;
        }
        for (int replica : state.replicas()) {
            if (replica != leaderId && !followers.containsKey(replica)) {
                followers.put(replica, new Follower(-1, 0, 0, -1));
            }
        }
        followers.keySet().retainAll(state.replicas());
    }

    /** Kafka's updateFetchState: a fetch at {@code fetchOffset} means the follower holds everything below it. */
    public synchronized void onFetch(int replicaId, long fetchOffset, long leaderEndOffset, long nowMs) {
        Follower f = followers.get(replicaId);
        if (f == null) return; // not a replica (any more)
        long caughtUp = f.lastCaughtUpMs();
        if (fetchOffset >= leaderEndOffset) {
            caughtUp = Math.max(caughtUp, nowMs);
        } else if (f.leaderEndOffsetAtLastFetch() >= 0 && fetchOffset >= f.leaderEndOffsetAtLastFetch()) {
            caughtUp = Math.max(caughtUp, f.lastFetchMs());
        }
        followers.put(replicaId, new Follower(fetchOffset, caughtUp, nowMs, leaderEndOffset));
    }

    public synchronized Follower follower(int replicaId) {
        return followers.get(replicaId);
    }

    /**
     * The high watermark the ISR allows: the smallest log end offset among the ISR (and a pending ISR change), the
     * leader's own being {@code leaderEndOffset}; -1 while some member's position is unknown.
     */
    public synchronized long highWatermark(PartitionState state, long leaderEndOffset) {
        long hw = leaderEndOffset;
        for (int member : maximalIsr(state)) {
            if (member == leaderId) continue;
            Follower f = followers.get(member);
            if (f == null || f.logEndOffset() < 0) return -1;
            hw = Math.min(hw, f.logEndOffset());
        }
        return hw;
    }

    private List<Integer> maximalIsr(PartitionState state) {
        List<Integer> members = new ArrayList<>(state.isr());
        if (pendingIsr != null) {
            for (int m : pendingIsr) if (!members.contains(m)) members.add(m);
        }
        return members;
    }

    /**
     * The ISR to propose now, or null: followers outside the ISR that caught up to the high watermark and the start of
     * the current leader epoch join; ISR followers not caught up within {@code lagMaxMs} leave. One proposal at a time.
     */
    public synchronized List<Integer> proposeIsr(PartitionState state, long highWatermark, long epochStartOffset, long nowMs, long lagMaxMs) {
        if (pendingIsr != null || state.leader() != leaderId || state.leaderEpoch() != leaderEpoch) return null;
        if (state.partitionEpoch() == refusedPartitionEpoch && nowMs < refusedUntilMs) return null;
        List<Integer> isr = new ArrayList<>(state.isr());
        boolean changed = false;
        for (Map.Entry<Integer, Follower> e : followers.entrySet()) {
            int id = e.getKey();
            Follower f = e.getValue();
            if (!isr.contains(id)) {
                if (f.logEndOffset() >= 0 && f.logEndOffset() >= highWatermark && f.logEndOffset() >= epochStartOffset
                        && nowMs - f.lastCaughtUpMs() <= lagMaxMs) {
                    isr.add(id);
                    changed = true;
                }
            } else if (nowMs - f.lastCaughtUpMs() > lagMaxMs) {
                isr.remove(Integer.valueOf(id));
                changed = true;
            }
        }
        if (!changed) return null;
        if (!isr.contains(leaderId)) isr.add(0, leaderId);
        pendingIsr = List.copyOf(isr);
        pendingBasisPartitionEpoch = state.partitionEpoch();
        return pendingIsr;
    }

    /** The proposal was refused (stale epochs, ineligible replica) or failed: try again after the next image or later. */
    public synchronized void proposalFailed(int basisPartitionEpoch, long retryAtMs) {
        pendingIsr = null;
        refusedPartitionEpoch = basisPartitionEpoch;
        refusedUntilMs = retryAtMs;
    }
}
