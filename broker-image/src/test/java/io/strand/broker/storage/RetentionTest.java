package io.strand.broker.storage;

import static io.strand.broker.storage.TestBatches.batch;
import static io.strand.broker.storage.TestBatches.batchesIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000_000);
    final int batchSize = batch(1, 1).remaining();
    final LogConfig cfg = LogConfig.defaults().withIndexIntervalBytes(64).withSegmentBytes(batchSize * 2L)
            .withFileDeleteDelayMs(0);
    PartitionLog log;

    PartitionLog open(LogConfig c) throws Exception {
        log = PartitionLog.open(tmp.resolve("r-0"), c, clock);
        return log;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) log.close();
    }

    long countFiles(String suffix) throws Exception {
        try (Stream<Path> files = Files.list(log.dir())) {
            return files.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    @Test
    void retentionByTimeDeletesOldSegmentsAndAdvancesStartOffset() throws Exception {
        open(cfg.withRetentionMs(10_000));
        // 6 batches with timestamps 1000..6000 -> segments [0,1] [2,3] [4,5]
        for (int i = 1; i <= 6; i++) log.append(batch(1, i * 1000L), 0);
        assertThat(log.segmentCount()).isEqualTo(3);
        clock.set(14_500); // segments whose max timestamp < 4500 expire
        assertThat(log.deleteExpiredSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThatThrownBy(() -> log.read(3, 1000, true, Long.MAX_VALUE)).isInstanceOf(OffsetOutOfRangeException.class);
        // the active segment expires too: it is rolled first, the log keeps an empty active segment
        clock.set(100_000);
        assertThat(log.deleteExpiredSegments()).isEqualTo(1);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(log.sizeInBytes()).isZero();
        assertThat(log.deleteExpiredSegments()).isZero();
        assertThat(log.append(batch(1, 99_000), 0).baseOffset()).isEqualTo(6);
        log.close();
        open(cfg);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(log.logEndOffset()).isEqualTo(7);
    }

    @Test
    void retentionByBytes() throws Exception {
        open(cfg.withRetentionBytes(batchSize * 3L).withRetentionMs(-1));
        for (int i = 0; i < 7; i++) log.append(batch(1, 1), 0); // [0,1] [2,3] [4,5] [6]
        assertThat(log.deleteExpiredSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(log.sizeInBytes()).isEqualTo(batchSize * 3L);
        assertThat(countFiles(".log")).isEqualTo(2);
        assertThat(log.deleteExpiredSegments()).isZero();
    }

    @Test
    void deleteRecordsBeforeAdvancesStartOffsetAndDropsWholeSegments() throws Exception {
        open(cfg);
        for (int i = 0; i < 7; i++) log.append(batch(1, 1), 0);
        log.deleteRecordsBefore(3);
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.segmentCount()).isEqualTo(3);
        assertThat(batchesIn(log.read(3, 1000, true, Long.MAX_VALUE)).get(0).baseOffset()).isEqualTo(3);
        log.deleteRecordsBefore(2); // no-op
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThatThrownBy(() -> log.deleteRecordsBefore(8)).isInstanceOf(OffsetOutOfRangeException.class);
        log.deleteRecordsBefore(7);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.read(7, 1000, true, Long.MAX_VALUE).isEmpty()).isTrue();
        log.close();
        open(cfg);
        assertThat(log.logStartOffset()).isEqualTo(7);
    }

    @Test
    void deletedSegmentsStayReadableUntilTheDelay() throws Exception {
        open(cfg.withFileDeleteDelayMs(60_000));
        for (int i = 0; i < 5; i++) log.append(batch(1, 1), 0);
        LogSlice slice = log.read(0, 1000, true, Long.MAX_VALUE);
        log.deleteRecordsBefore(4);
        assertThat(countFiles(".log.deleted")).isEqualTo(2);
        assertThat(batchesIn(slice)).extracting(BatchHeader::baseOffset).containsExactly(0L, 1L);
        log.close();
        open(cfg); // leftovers are removed on open
        assertThat(countFiles(".deleted")).isZero();
    }

    @Test
    void truncateToDropsTheTail() throws Exception {
        open(cfg.withSegmentBytes(2L * batch(2, 1).remaining()));
        for (int i = 0; i < 5; i++) log.append(batch(2, 100 + i), 0); // [0-1,2-3] [4-5,6-7] [8-9]
        log.truncateTo(5); // mid-batch: the whole batch 4-5 goes
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.sizeInBytes()).isEqualTo(2L * batch(2, 1).remaining());
        assertThat(log.findMaxTimestampBatch().baseOffset()).isEqualTo(2);
        assertThat(log.append(batch(1, 1), 0).baseOffset()).isEqualTo(4);
        log.truncateTo(2);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.segmentCount()).isEqualTo(1);
        log.close();
        open(cfg.withSegmentBytes(2L * batch(2, 1).remaining()));
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(batchesIn(log.read(0, 1000, true, Long.MAX_VALUE))).extracting(BatchHeader::baseOffset).containsExactly(0L);
        log.truncateTo(0);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.append(batch(1, 1), 0).baseOffset()).isZero();
    }

    @Test
    void truncateBelowLogStartRestartsTheLog() throws Exception {
        open(cfg);
        for (int i = 0; i < 5; i++) log.append(batch(1, 1), 0);
        log.deleteRecordsBefore(4);
        log.truncateTo(1);
        assertThat(log.logStartOffset()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(log.append(batch(1, 1), 0).baseOffset()).isEqualTo(1);
    }
}
