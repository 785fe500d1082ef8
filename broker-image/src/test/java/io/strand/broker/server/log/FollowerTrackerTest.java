package io.strand.broker.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.server.cluster.PartitionState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leader's follower bookkeeping: high watermark and ISR decisions, without any network. */
class FollowerTrackerTest {
    static final long LAG = 1_000;

    @Test
    void highWatermarkIsTheSmallestIsrEndOffsetOnceAllAreKnown() {
        PartitionState state = new PartitionState(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 9, List.of(), List.of());
        FollowerTracker t = new FollowerTracker(1);
        t.reset(state, 0);
        assertThat(t.highWatermark(state, 100)).isEqualTo(-1); // followers' positions unknown after election
        t.onFetch(2, 80, 100, 10);
        assertThat(t.highWatermark(state, 100)).isEqualTo(-1);
        t.onFetch(3, 90, 100, 10);
        assertThat(t.highWatermark(state, 100)).isEqualTo(80);
        t.onFetch(2, 100, 100, 20);
        assertThat(t.highWatermark(state, 100)).isEqualTo(90);
        // a follower outside the ISR does not hold the high watermark back
        PartitionState shrunk = new PartitionState(List.of(1, 2, 3), List.of(1, 2), 1, 4, 10, List.of(), List.of());
        t.stateChanged(shrunk, 30);
        assertThat(t.highWatermark(shrunk, 100)).isEqualTo(100);
    }

    @Test
    void laggingFollowerLeavesAndRejoinsAfterCatchingUp() {
        PartitionState state = new PartitionState(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 9, List.of(), List.of());
        FollowerTracker t = new FollowerTracker(1);
        t.reset(state, 0);
        t.onFetch(2, 50, 50, 100);
        t.onFetch(3, 50, 50, 100);
        assertThat(t.proposeIsr(state, 50, 0, 500, LAG)).isNull();
        // follower 2 keeps fetching at the end; 3 stops at 50 while the leader moves on
        t.onFetch(2, 200, 200, 1_050);
        assertThat(t.proposeIsr(state, 50, 0, 1_050, LAG)).isNull(); // 3 caught up at 100: not lagging for > 1000 ms yet
        assertThat(t.proposeIsr(state, 50, 0, 1_101, LAG)).containsExactly(1, 2);
        // one proposal at a time
        assertThat(t.proposeIsr(state, 50, 0, 1_300, LAG)).isNull();
        PartitionState shrunk = new PartitionState(List.of(1, 2, 3), List.of(1, 2), 1, 4, 10, List.of(), List.of());
        t.stateChanged(shrunk, 1_300);
        // 3 comes back but is still below the high watermark: stays out
        t.onFetch(3, 150, 200, 1_400);
        assertThat(t.proposeIsr(shrunk, 200, 0, 1_400, LAG)).isNull();
        // at the high watermark and past the epoch start: joins
        t.onFetch(3, 200, 200, 1_500);
        assertThat(t.proposeIsr(shrunk, 200, 0, 1_500, LAG)).containsExactly(1, 2, 3);
    }

    @Test
    void followerMustReachTheCurrentEpochStartToJoin() {
        PartitionState state = new PartitionState(List.of(1, 2), List.of(1), 1, 7, 3, List.of(), List.of());
        FollowerTracker t = new FollowerTracker(1);
        t.reset(state, 0);
        t.onFetch(2, 40, 40, 10); // at the high watermark (40) but the epoch started at 45
        assertThat(t.proposeIsr(state, 40, 45, 10, LAG)).isNull();
    }

    @Test
    void refusedProposalWaitsForANewPartitionEpochOrTheRetryTime() {
        PartitionState state = new PartitionState(List.of(1, 2), List.of(1), 1, 7, 3, List.of(), List.of());
        FollowerTracker t = new FollowerTracker(1);
        t.reset(state, 0);
        t.onFetch(2, 40, 40, 10);
        assertThat(t.proposeIsr(state, 40, 0, 10, LAG)).containsExactly(1, 2);
        t.proposalFailed(3, 1_000);
        assertThat(t.proposeIsr(state, 40, 0, 500, LAG)).isNull();
        t.onFetch(2, 40, 40, 1_001);
        assertThat(t.proposeIsr(state, 40, 0, 1_001, LAG)).containsExactly(1, 2);
    }

    @Test
    void newLeaderEpochResetsTracking() {
        PartitionState state = new PartitionState(List.of(1, 2), List.of(1, 2), 1, 1, 1, List.of(), List.of());
        FollowerTracker t = new FollowerTracker(1);
        t.reset(state, 0);
        t.onFetch(2, 40, 40, 10);
        assertThat(t.highWatermark(state, 40)).isEqualTo(40);
        PartitionState next = new PartitionState(List.of(1, 2), List.of(1, 2), 1, 2, 2, List.of(), List.of());
        t.stateChanged(next, 20);
        assertThat(t.highWatermark(next, 40)).isEqualTo(-1);
    }
}
