package io.strand.broker.storage;

import static io.strand.broker.storage.TestBatches.batch;
import static io.strand.broker.storage.TestBatches.batchesIn;
import static io.strand.broker.storage.TestBatches.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000_000);
    PartitionLog log;

    static LogConfig config() {
        return LogConfig.defaults().withIndexIntervalBytes(100).withFileDeleteDelayMs(0);
    }

    PartitionLog open(LogConfig cfg) throws Exception {
        log = PartitionLog.open(tmp.resolve("topic-0"), cfg, clock);
        return log;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) log.close();
    }

    @Test
    void appendAssignsSequentialOffsetsAndReadsBack() throws Exception {
        open(config());
        AppendResult r1 = log.append(batch(3, 100), 7);
        AppendResult r2 = log.append(concat(batch(2, 200), batch(4, 300)), 7);
        assertThat(r1).isEqualTo(new AppendResult(0, 2, -1, 0, false));
        assertThat(r2.baseOffset()).isEqualTo(3);
        assertThat(r2.lastOffset()).isEqualTo(8);
        assertThat(log.logEndOffset()).isEqualTo(9);

        LogSlice slice = log.read(0, 1 << 20, true, Long.MAX_VALUE);
        List<BatchHeader> batches = batchesIn(slice);
        assertThat(batches).extracting(BatchHeader::baseOffset).containsExactly(0L, 3L, 5L);
        assertThat(batches).extracting(BatchHeader::lastOffset).containsExactly(2L, 4L, 8L);
        assertThat(batches).allSatisfy(b -> assertThat(b.partitionLeaderEpoch()).isEqualTo(7));
        assertThat(slice.logStartOffset()).isZero();
        assertThat(slice.logEndOffset()).isEqualTo(9);
        assertThat(slice.length()).isEqualTo((int) log.sizeInBytes());
    }

    @Test
    void readFromTheMiddleOfABatchStartsAtThatBatch() throws Exception {
        open(config());
        for (int i = 0; i < 50; i++) log.append(batch(4, 100 + i), 0);
        for (long off : new long[] {0, 1, 77, 98, 199}) {
            List<BatchHeader> batches = batchesIn(log.read(off, 1 << 20, true, Long.MAX_VALUE));
            assertThat(batches.get(0).baseOffset()).isEqualTo(off - off % 4);
            assertThat(batches.get(batches.size() - 1).lastOffset()).isEqualTo(199);
        }
        assertThat(log.read(200, 1000, true, Long.MAX_VALUE).length()).isZero();
    }

    @Test
    void readRespectsMaxBytesMinOneBatchAndMaxOffset() throws Exception {
        open(config());
        int size = batch(2, 1).remaining();
        for (int i = 0; i < 10; i++) log.append(batch(2, 1), 0);
        // ends on a batch boundary
        LogSlice s = log.read(0, size * 3 + size / 2, false, Long.MAX_VALUE);
        assertThat(s.length()).isEqualTo(size * 3);
        // first batch larger than maxBytes
        assertThat(log.read(4, 10, true, Long.MAX_VALUE).length()).isEqualTo(size);
        assertThat(log.read(4, 10, false, Long.MAX_VALUE).length()).isZero();
        // high watermark
        List<BatchHeader> upTo = batchesIn(log.read(2, 1 << 20, true, 8));
        assertThat(upTo).extracting(BatchHeader::baseOffset).containsExactly(2L, 4L, 6L);
        assertThat(log.read(8, 1 << 20, true, 8).length()).isZero();
    }

    @Test
    void offsetOutOfRange() throws Exception {
        open(config());
        log.append(batch(5, 1), 0);
        assertThatThrownBy(() -> log.read(6, 100, true, Long.MAX_VALUE)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 100, true, Long.MAX_VALUE)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(5, 100, true, Long.MAX_VALUE).isEmpty()).isTrue();
        log.deleteRecordsBefore(3);
        assertThatThrownBy(() -> log.read(2, 100, true, Long.MAX_VALUE)).isInstanceOf(OffsetOutOfRangeException.class)
                .satisfies(e -> assertThat(((StorageException) e).kafkaErrorCode()).isEqualTo((short) 1));
        assertThat(batchesIn(log.read(3, 1000, true, Long.MAX_VALUE))).hasSize(1);
    }

    @Test
    void rejectsInvalidBatchesBeforeWritingAnything() throws Exception {
        open(config().withMaxBatchBytes(500));
        ByteBuffer good = batch(1, 1);
        ByteBuffer badCrc = batch(1, 1);
        badCrc.put(70, (byte) (badCrc.get(70) ^ 1));
        assertThatThrownBy(() -> log.append(concat(good, badCrc), 0)).isInstanceOf(CorruptBatchException.class);
        ByteBuffer badMagic = batch(1, 1);
        badMagic.put(BatchHeader.MAGIC, (byte) 1);
        assertThatThrownBy(() -> log.append(badMagic, 0)).isInstanceOf(CorruptBatchException.class);
        ByteBuffer truncated = batch(1, 1).limit(50);
        assertThatThrownBy(() -> log.append(truncated, 0)).isInstanceOf(CorruptBatchException.class);
        ByteBuffer tooLong = concat(good, batch(1, 1)).limit(good.remaining() + 70);
        assertThatThrownBy(() -> log.append(tooLong, 0)).isInstanceOf(CorruptBatchException.class);
        ByteBuffer big = TestBatches.builder().records(2).valueSize(400).build();
        assertThatThrownBy(() -> log.append(big, 0)).isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> log.append(ByteBuffer.allocate(0), 0)).isInstanceOf(CorruptBatchException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
        assertThat(log.append(good, 0).baseOffset()).isZero();
    }

    @Test
    void readOnlyBufferIsCopied() throws Exception {
        open(config());
        ByteBuffer b = batch(2, 5);
        log.append(b.asReadOnlyBuffer(), 0);
        log.append(b.asReadOnlyBuffer(), 0);
        assertThat(batchesIn(log.read(0, 1000, true, Long.MAX_VALUE))).extracting(BatchHeader::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void rollsBySize() throws Exception {
        int size = batch(1, 1).remaining();
        open(config().withSegmentBytes(size * 3L));
        for (int i = 0; i < 10; i++) log.append(batch(1, i), 0);
        assertThat(log.segmentCount()).isEqualTo(4);
        try (Stream<Path> files = Files.list(log.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")))
                    .containsExactlyInAnyOrder("00000000000000000000.log", "00000000000000000003.log",
                            "00000000000000000006.log", "00000000000000000009.log");
        }
        // a read returns data from one segment only
        assertThat(batchesIn(log.read(4, 1 << 20, true, Long.MAX_VALUE))).extracting(BatchHeader::baseOffset)
                .containsExactly(4L, 5L);
        assertThat(Files.size(log.dir().resolve("00000000000000000000.index"))).isPositive();
    }

    @Test
    void oversizedAppendToEmptySegmentDoesNotRoll() throws Exception {
        open(config().withSegmentBytes(100));
        log.append(TestBatches.builder().valueSize(300).build(), 0);
        log.append(TestBatches.builder().valueSize(300).build(), 0);
        assertThat(log.segmentCount()).isEqualTo(2);
    }

    @Test
    void rollsByTime() throws Exception {
        open(config().withSegmentMs(1000));
        log.append(batch(1, 1), 0);
        clock.advance(999);
        log.append(batch(1, 1), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.advance(2);
        log.append(batch(1, 1), 0);
        assertThat(log.segmentCount()).isEqualTo(2);
        clock.advance(5000);
        log.append(batch(1, 1), 0);
        assertThat(log.segmentCount()).isEqualTo(3);
    }

    @Test
    void rollsWhenIndexIsFull() throws Exception {
        open(config().withIndexIntervalBytes(0).withSegmentIndexBytes(24)); // 3 offset entries, 2 time entries
        for (int i = 0; i < 10; i++) log.append(batch(1, 100 + i), 0);
        assertThat(log.segmentCount()).isGreaterThan(2);
        for (long off = 0; off < 10; off++) {
            assertThat(batchesIn(log.read(off, 1 << 20, true, Long.MAX_VALUE)).get(0).baseOffset()).isEqualTo(off);
        }
    }

    @Test
    void reopenAfterCleanCloseKeepsEverything() throws Exception {
        int size = batch(3, 1).remaining();
        open(config().withSegmentBytes(size * 10L));
        for (int i = 0; i < 35; i++) log.append(batch(3, 1000 + i), 2);
        long sizeBefore = log.sizeInBytes();
        log.close();
        Path dir = log.dir();
        assertThat(dir.resolve(".clean-shutdown")).exists();
        assertThat(dir.resolve(String.format("%020d.snapshot", 105))).exists();
        open(config().withSegmentBytes(size * 10L));
        assertThat(dir.resolve(".clean-shutdown")).doesNotExist();
        assertThat(log.logEndOffset()).isEqualTo(105);
        assertThat(log.segmentCount()).isEqualTo(4);
        assertThat(log.sizeInBytes()).isEqualTo(sizeBefore);
        for (long off = 0; off < 105; off += 7) {
            assertThat(batchesIn(log.read(off, 1 << 20, true, Long.MAX_VALUE)).get(0).baseOffset()).isEqualTo(off - off % 3);
        }
        assertThat(log.append(batch(1, 1), 2).baseOffset()).isEqualTo(105);
        assertThat(log.findBatchByTimestamp(1020).baseOffset()).isEqualTo(60);
    }

    @Test
    void logAppendTimeRewritesTimestampAndCrc() throws Exception {
        open(config().withLogAppendTime(true));
        AppendResult r = log.append(concat(batch(2, 5), batch(3, 6)), 1);
        assertThat(r.logAppendTimeMs()).isEqualTo(clock.millis());
        List<BatchHeader> batches = batchesIn(log.read(0, 1000, true, Long.MAX_VALUE)); // checks CRCs
        assertThat(batches).hasSize(2).allSatisfy(b -> {
            assertThat(b.maxTimestamp()).isEqualTo(clock.millis());
            assertThat(b.isLogAppendTime()).isTrue();
            assertThat(b.baseTimestamp()).isIn(5L, 6L);
        });
        assertThat(log.findMaxTimestampBatch().maxTimestamp()).isEqualTo(clock.millis());
    }

    @Test
    void deleteRemovesTheDirectory() throws Exception {
        open(config());
        log.append(batch(1, 1), 0);
        log.delete();
        assertThat(tmp.resolve("topic-0")).doesNotExist();
        log = null;
    }

    @Test
    void concurrentReadersNeverSeePartialBatches() throws Exception {
        int size = batch(3, 1).remaining();
        open(config().withSegmentBytes(size * 50L).withIndexIntervalBytes(200));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable reader = () -> {
            java.util.Random rnd = new java.util.Random();
            try {
                while (!done.get()) {
                    long leo = log.logEndOffset();
                    if (leo == 0) continue;
                    long off = (long) (rnd.nextDouble() * leo);
                    LogSlice slice = log.read(off, 1 + rnd.nextInt(4000), true, Long.MAX_VALUE);
                    List<BatchHeader> batches = batchesIn(slice); // CRC-checked
                    assertThat(batches).isNotEmpty();
                    assertThat(batches.get(0).baseOffset()).isEqualTo(off - off % 3);
                    for (int i = 1; i < batches.size(); i++) {
                        assertThat(batches.get(i).baseOffset()).isEqualTo(batches.get(i - 1).lastOffset() + 1);
                    }
                    assertThat(batches.get(batches.size() - 1).lastOffset()).isLessThan(slice.logEndOffset());
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader), new Thread(reader)};
        for (Thread t : readers) t.start();
        for (int i = 0; i < 1500; i++) log.append(batch(3, i), 0);
        done.set(true);
        for (Thread t : readers) t.join();
        assertThat(failure.get()).isNull();
        assertThat(log.logEndOffset()).isEqualTo(4500);
    }
}
