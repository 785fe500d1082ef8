package io.strand.broker.storage;

import static io.strand.broker.storage.TestBatches.batch;
import static io.strand.broker.storage.TestBatches.batchesIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash recovery: logs are abandoned without close() (like kill -9) and their files damaged before reopening. */
class RecoveryTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(5_000);
    final int batchSize = batch(2, 1).remaining();
    final LogConfig cfg = LogConfig.defaults().withIndexIntervalBytes(64).withSegmentBytes(batchSize * 5L).withFileDeleteDelayMs(0);
    PartitionLog log;

    Path dir() {
        return tmp.resolve("t-0");
    }

    PartitionLog open() throws Exception {
        log = PartitionLog.open(dir(), cfg, clock);
        return log;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) log.close();
    }

    /** Appends 12 batches of 2 records (offsets 0..23) in 3 segments, then "crashes". */
    void writeAndCrash() throws Exception {
        PartitionLog l = PartitionLog.open(dir(), cfg, clock);
        for (int i = 0; i < 12; i++) l.append(batch(2, 100 + i), 0);
        assertThat(l.segmentCount()).isEqualTo(3);
        // no close(): no clean-shutdown marker, active segment indexes not written
    }

    Path lastSegment() {
        return dir().resolve(String.format("%020d.log", 20));
    }

    @Test
    void uncleanReopenWithoutDamageKeepsAllData() throws Exception {
        writeAndCrash();
        open();
        assertThat(log.logEndOffset()).isEqualTo(24);
        assertThat(batchesIn(log.read(21, 1 << 20, true, Long.MAX_VALUE))).extracting(BatchHeader::baseOffset)
                .containsExactly(20L, 22L);
        assertThat(log.append(batch(1, 1), 0).baseOffset()).isEqualTo(24);
    }

    @Test
    void tornWriteIsTruncated() throws Exception {
        writeAndCrash();
        Path last = lastSegment();
        long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(size - batchSize / 2);
        }
        open();
        assertThat(log.logEndOffset()).isEqualTo(22);
        assertThat(Files.size(last)).isEqualTo(batchSize);
        assertThat(log.append(batch(3, 1), 0).baseOffset()).isEqualTo(22);
        assertThat(batchesIn(log.read(20, 1 << 20, true, Long.MAX_VALUE))).extracting(BatchHeader::lastOffset)
                .containsExactly(21L, 24L);
    }

    @Test
    void corruptByteTruncatesAtThatBatchAndDropsLaterSegments() throws Exception {
        writeAndCrash();
        // flip a record byte inside the 3rd batch of the middle segment (offsets 14..15)
        Path middle = dir().resolve(String.format("%020d.log", 10));
        try (FileChannel ch = FileChannel.open(middle, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = 2L * batchSize + 70;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, pos);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, pos);
        }
        // recovery point 0: everything is recovered
        open();
        assertThat(log.logEndOffset()).isEqualTo(14);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(lastSegment()).doesNotExist();
        assertThat(log.append(batch(2, 1), 0)).extracting(AppendResult::baseOffset, AppendResult::lastOffset)
                .containsExactly(14L, 15L);
        log.close();
        open();
        assertThat(log.logEndOffset()).isEqualTo(16);
    }

    @Test
    void flushedSegmentsBelowRecoveryPointAreTrusted() throws Exception {
        PartitionLog l = PartitionLog.open(dir(), cfg, clock);
        for (int i = 0; i < 12; i++) l.append(batch(2, 100 + i), 0);
        l.flush();
        assertThat(l.recoveryPoint()).isEqualTo(24);
        l.append(batch(2, 1), 0); // unflushed, then crash
        assertThat(dir().resolve("recovery-point")).content().isEqualToIgnoringWhitespace("24");
        // delete the index of a flushed segment: it must be rebuilt
        Files.delete(dir().resolve(String.format("%020d.index", 0)));
        open();
        assertThat(log.logEndOffset()).isEqualTo(26);
        for (long off = 0; off < 26; off += 3) {
            assertThat(batchesIn(log.read(off, 1 << 20, true, Long.MAX_VALUE)).get(0).baseOffset()).isEqualTo(off - off % 2);
        }
    }

    @Test
    void flushPolicyByMessageCount() throws Exception {
        open();
        log.updateConfig(cfg.withFlushIntervalMessages(5));
        log.append(batch(2, 1), 0);
        log.maybeFlush();
        assertThat(log.recoveryPoint()).isZero();
        log.append(batch(3, 1), 0);
        log.maybeFlush();
        assertThat(log.recoveryPoint()).isEqualTo(5);
        log.updateConfig(cfg.withFlushIntervalMs(1000));
        log.append(batch(1, 1), 0);
        clock.advance(1000);
        log.maybeFlush();
        assertThat(log.recoveryPoint()).isEqualTo(6);
    }

    @Test
    void garbageIndexFilesAreRebuiltAfterCleanShutdown() throws Exception {
        open();
        for (int i = 0; i < 12; i++) log.append(batch(2, 100 + i), 0);
        log.close();
        Files.write(dir().resolve(String.format("%020d.index", 10)), new byte[] {1, 2, 3});
        Files.write(dir().resolve(String.format("%020d.timeindex", 20)), new byte[0]);
        open();
        assertThat(log.logEndOffset()).isEqualTo(24);
        assertThat(log.findBatchByTimestamp(110).baseOffset()).isEqualTo(20);
        assertThat(batchesIn(log.read(13, 1 << 20, true, Long.MAX_VALUE)).get(0).baseOffset()).isEqualTo(12);
    }

    @Test
    void cleanReopenIsFast() throws Exception {
        LogConfig big = LogConfig.defaults();
        PartitionLog l = PartitionLog.open(dir(), big, clock);
        ByteBuffer b = TestBatches.builder().records(10).valueSize(100).build();
        for (int i = 0; i < 5000; i++) l.append(b, 0);
        l.close();
        long t0 = System.nanoTime();
        log = PartitionLog.open(dir(), big, clock);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(log.logEndOffset()).isEqualTo(50_000);
        assertThat(ms).isLessThan(500);
    }
}
