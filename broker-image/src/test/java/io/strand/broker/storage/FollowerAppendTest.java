package io.strand.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower's log: appends keep the leader's offsets and epochs; truncation cuts the epoch cache too. */
class FollowerAppendTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000_000);
    PartitionLog leader;
    PartitionLog follower;

    static LogConfig config() {
        return LogConfig.defaults().withIndexIntervalBytes(100).withFileDeleteDelayMs(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (leader != null) leader.close();
        if (follower != null) follower.close();
    }

    private static ByteBuffer readAll(PartitionLog log, long from) throws Exception {
        return TestBatches.readSlice(log.read(from, Integer.MAX_VALUE, true, Long.MAX_VALUE));
    }

    @Test
    void followerKeepsOffsetsEpochsAndProducerState() throws Exception {
        leader = PartitionLog.open(tmp.resolve("l-0"), config(), clock);
        follower = PartitionLog.open(tmp.resolve("f-0"), config(), clock);
        leader.append(TestBatches.builder().records(3).producer(7, 0, 0).build(), 0);
        leader.append(TestBatches.builder().records(2).producer(7, 0, 3).build(), 0);
        leader.append(TestBatches.builder().records(4).producer(7, 0, 5).build(), 2);

        AppendResult r = follower.appendAsFollower(readAll(leader, 0));
        assertThat(r.baseOffset()).isEqualTo(0);
        assertThat(r.lastOffset()).isEqualTo(8);
        assertThat(follower.logEndOffset()).isEqualTo(9);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 0L, 2, 5L));
        List<BatchHeader> batches = TestBatches.batchesIn(readAll(follower, 0));
        assertThat(batches).extracting(BatchHeader::partitionLeaderEpoch).containsExactly(0, 0, 2);
        assertThat(readAll(follower, 0)).isEqualTo(readAll(leader, 0)); // byte for byte

        // fetching the same data again appends nothing
        assertThat(follower.appendAsFollower(readAll(leader, 0))).isNull();

        // as the new leader it knows the producer: a duplicate is detected, the next sequence accepted
        AppendResult dup = follower.append(TestBatches.builder().records(4).producer(7, 0, 5).build(), 3);
        assertThat(dup.duplicate()).isTrue();
        assertThat(follower.append(TestBatches.builder().records(1).producer(7, 0, 9).build(), 3).baseOffset()).isEqualTo(9);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 0L, 2, 5L, 3, 9L));

        // the cache survives a restart
        follower.close();
        follower = PartitionLog.open(tmp.resolve("f-0"), config(), clock);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 0L, 2, 5L, 3, 9L));
        assertThat(follower.endOffsetForEpoch(2)).isEqualTo(new LeaderEpochCache.EpochEnd(2, 9));
    }

    @Test
    void truncationCutsTheEpochCacheAndDivergentDataIsReplaced() throws Exception {
        leader = PartitionLog.open(tmp.resolve("l-0"), config(), clock);
        follower = PartitionLog.open(tmp.resolve("f-0"), config(), clock);
        leader.append(TestBatches.batch(5, 1), 0);
        follower.appendAsFollower(readAll(leader, 0));
        // the follower led epoch 1 briefly and appended what nobody else has
        follower.append(TestBatches.batch(3, 2), 1);
        // meanwhile the leader wrote epoch 2 from offset 5
        leader.append(TestBatches.batch(2, 3), 2);
        // divergence: the follower's epoch 1 is unknown to the leader, which answers with epoch 0 ending at 5
        LeaderEpochCache.EpochEnd atLeader = leader.endOffsetForEpoch(1);
        assertThat(atLeader).isEqualTo(new LeaderEpochCache.EpochEnd(0, 5));
        follower.truncateTo(Math.min(atLeader.endOffset(), follower.endOffsetForEpoch(0).endOffset()));
        assertThat(follower.logEndOffset()).isEqualTo(5);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 0L));
        follower.appendAsFollower(readAll(leader, 5));
        assertThat(follower.logEndOffset()).isEqualTo(7);
        assertThat(readAll(follower, 0)).isEqualTo(readAll(leader, 0));
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 0L, 2, 5L));
    }

    @Test
    void aLeaderEpochThatStartsAtTheEndWithNoDataGoesWithATruncationToTheEnd() throws Exception {
        leader = PartitionLog.open(tmp.resolve("l-0"), config(), clock);
        follower = PartitionLog.open(tmp.resolve("f-0"), config(), clock);
        leader.append(TestBatches.batch(5, 1), 2);
        follower.appendAsFollower(readAll(leader, 0));
        // the follower is made leader of epoch 3 and loses it before appending anything
        follower.assignEpochStart(3);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(2, 0L, 3, 5L));
        // the new leader, of epoch 4, never had epoch 3: it answers that epoch 2 ends at 5, where the follower's log
        // ends too
        leader.assignEpochStart(4);
        LeaderEpochCache.EpochEnd atLeader = leader.endOffsetForEpoch(3);
        assertThat(atLeader).isEqualTo(new LeaderEpochCache.EpochEnd(2, 5));
        follower.truncateTo(Math.min(atLeader.endOffset(), follower.logEndOffset()));
        assertThat(follower.logEndOffset()).isEqualTo(5);
        assertThat(follower.latestEpoch()).as("else every fetch reports epoch 3 and diverges again").isEqualTo(2);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(2, 0L));
    }

    @Test
    void rejectsBatchesThatDoNotLineUpOrAreCorrupt() throws Exception {
        leader = PartitionLog.open(tmp.resolve("l-0"), config(), clock);
        follower = PartitionLog.open(tmp.resolve("f-0"), config(), clock);
        leader.append(TestBatches.batch(5, 1), 0);
        follower.appendAsFollower(readAll(leader, 0));
        leader.append(TestBatches.batch(5, 1), 0);
        follower.truncateTo(3); // removes the whole first batch
        assertThat(follower.logEndOffset()).isEqualTo(0);
        follower.appendAsFollower(readAll(leader, 0));
        ByteBuffer second = readAll(leader, 5);
        follower.truncateTo(5);
        ByteBuffer corrupt = TestBatches.concat(second);
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 1));
        assertThatThrownBy(() -> follower.appendAsFollower(corrupt)).isInstanceOf(CorruptBatchException.class);
        ByteBuffer early = TestBatches.concat(second);
        early.putLong(0, 3); // [3, 7] straddles the end offset 5
        assertThatThrownBy(() -> follower.appendAsFollower(early)).isInstanceOf(CorruptBatchException.class);
        assertThat(follower.logEndOffset()).isEqualTo(5);
    }

    @Test
    void emptyFollowerStartsAtTheLeadersLogStart() throws Exception {
        leader = PartitionLog.open(tmp.resolve("l-0"), config(), clock);
        follower = PartitionLog.open(tmp.resolve("f-0"), config().withSegmentBytes(200), clock);
        for (int i = 0; i < 5; i++) leader.append(TestBatches.batch(2, 1), 0);
        leader.deleteRecordsBefore(6);
        follower.truncateFullyAndStartAt(6);
        assertThat(follower.logStartOffset()).isEqualTo(6);
        assertThat(follower.logEndOffset()).isEqualTo(6);
        follower.appendAsFollower(readAll(leader, 6));
        assertThat(follower.logEndOffset()).isEqualTo(10);
        assertThat(follower.leaderEpochCache().entries()).isEqualTo(Map.of(0, 6L));

        // an empty log that receives data from further on restarts there by itself
        follower.close();
        follower = PartitionLog.open(tmp.resolve("f2-0"), config(), clock);
        follower.appendAsFollower(readAll(leader, 6));
        assertThat(follower.logStartOffset()).isEqualTo(6);
        assertThat(follower.logEndOffset()).isEqualTo(10);
    }
}
