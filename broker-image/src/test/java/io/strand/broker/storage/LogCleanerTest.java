package io.strand.broker.storage;

import static io.strand.broker.storage.KeyedBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000_000);
    final LogConfig cfg = LogConfig.defaults().withCompact(true).withSegmentMs(1_000).withMinCleanableDirtyRatio(0.01)
            .withDeleteRetentionMs(10_000).withFileDeleteDelayMs(60_000).withIndexIntervalBytes(64);
    final List<Exception> failures = new ArrayList<>();
    LogCleaner cleaner;
    final List<PartitionLog> logs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cleaner = new LogCleaner(new KeyedBatches.Codec(), new LogCleaner.Config(1, 0, 1 << 20, 256), clock, new LogCleaner.Listener() {
            @Override
            public void cleaned(PartitionLog log, LogCleaner.CleaningStats stats) {
            }

            @Override
            public void failed(PartitionLog log, Exception error) {
                failures.add(error);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        cleaner.close();
        for (PartitionLog l : logs) l.close();
        assertThat(failures).isEmpty();
    }

    PartitionLog open(String name, LogConfig c) throws Exception {
        PartitionLog log = PartitionLog.open(tmp.resolve(name), c, clock);
        logs.add(log);
        cleaner.register(log);
        return log;
    }

    void append(PartitionLog log, String... keyValues) throws Exception {
        log.append(batch(clock.millis(), keyValues), 0);
    }

    /** Makes the active segment old enough to roll, and rolls it. */
    void roll(PartitionLog log) throws Exception {
        clock.advance(log.config().segmentMs() + 1);
        assertThat(log.rollIfExpired()).isTrue();
    }

    /** offset → "key=value" of every record from the log start to the end, read through {@link PartitionLog#read}. */
    static Map<Long, String> readAll(PartitionLog log) throws Exception {
        Map<Long, String> out = new LinkedHashMap<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogSlice slice = log.read(offset, 1 << 20, true, Long.MAX_VALUE);
            if (slice.isEmpty()) break;
            ByteBuffer buf = TestBatches.readSlice(slice);
            List<BatchHeader> batches = TestBatches.batchesIn(buf); // CRC-checked
            KeyedBatches.decodeAll(buf).forEach((o, kv) -> out.put(o, kv[0] + "=" + kv[1]));
            long next = batches.get(batches.size() - 1).lastOffset() + 1;
            assertThat(next).isGreaterThan(offset);
            offset = next;
        }
        return out;
    }

    static long files(PartitionLog log, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(log.dir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    @Test
    void keepsTheLatestValuePerKeyAtItsOriginalOffsetAndLeavesTheActiveSegmentAlone() throws Exception {
        PartitionLog log = open("c-0", cfg);
        append(log, "a", "1", "b", "1"); // 0, 1
        append(log, "a", "2", "c", "1"); // 2, 3
        roll(log);
        append(log, "b", "2", "a", "3"); // 4, 5
        roll(log);
        append(log, "a", "4", "d", "1", "d", "2"); // 6, 7, 8: active

        LogCleaner.CleaningStats stats = cleaner.cleanDirtiest();

        assertThat(stats).isNotNull();
        assertThat(stats.cleanedUpTo()).isEqualTo(6);
        assertThat(stats.segmentsBefore()).isEqualTo(2);
        assertThat(stats.segmentsAfter()).isEqualTo(1); // merged: they fit in one segment
        assertThat(readAll(log)).containsExactly(Map.entry(3L, "c=1"), Map.entry(4L, "b=2"), Map.entry(5L, "a=3"),
                Map.entry(6L, "a=4"), Map.entry(7L, "d=1"), Map.entry(8L, "d=2"));
        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(log.logStartOffset()).isZero();
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.cleanerCheckpoint()).isEqualTo(6);
        assertThat(cleaner.cleanDirtiest()).as("nothing dirty left").isNull();
        // fetches in a gap start at the next surviving record
        assertThat(KeyedBatches.decodeAll(TestBatches.readSlice(log.read(1, 1 << 20, true, Long.MAX_VALUE)))).containsKey(3L);
        assertThat(log.append(batch(clock.millis(), "e", "1"), 0).baseOffset()).isEqualTo(9);
        assertThat(files(log, ".cleaned") + files(log, ".swap")).isZero();
    }

    @Test
    void tombstonesStayForDeleteRetentionAfterTheirFirstCleaningThenGo() throws Exception {
        PartitionLog log = open("t-0", cfg);
        append(log, "a", "1", "b", "1"); // 0, 1
        append(log, "a", null);            // 2: delete a
        roll(log);
        append(log, "c", "1");            // 3 (active)
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(readAll(log)).containsExactly(Map.entry(1L, "b=1"), Map.entry(2L, "a=null"), Map.entry(3L, "c=1"));

        clock.advance(5_000); // horizon is first cleaning + 10 s
        roll(log);
        append(log, "c", "2");
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(readAll(log)).containsEntry(2L, "a=null");

        clock.advance(5_000);
        roll(log);
        append(log, "d", "1");
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(readAll(log)).containsExactly(Map.entry(1L, "b=1"), Map.entry(4L, "c=2"), Map.entry(5L, "d=1"));
        assertThat(log.logEndOffset()).isEqualTo(6);
    }

    @Test
    void respectsTheMinimumDirtyRatio() throws Exception {
        PartitionLog log = open("r-0", cfg.withMinCleanableDirtyRatio(0.5));
        for (int i = 0; i < 10; i++) append(log, "k" + i, "v" + i);
        roll(log);
        append(log, "x", "1");
        assertThat(cleaner.cleanDirtiest()).as("all dirty").isNotNull();
        append(log, "k1", "new");
        roll(log); // dirty: 2 of 12 batches
        assertThat(cleaner.cleanDirtiest()).as("below the ratio").isNull();
        for (int i = 0; i < 10; i++) append(log, "k" + i, "w" + i);
        roll(log);
        LogCleaner.CleaningStats stats = cleaner.cleanDirtiest();
        assertThat(stats).isNotNull();
        assertThat(readAll(log).values()).containsExactlyInAnyOrder("x=1", "k0=w0", "k1=w1", "k2=w2", "k3=w3", "k4=w4",
                "k5=w5", "k6=w6", "k7=w7", "k8=w8", "k9=w9");
    }

    @Test
    void leavesSegmentsYoungerThanTheMinimumCompactionLag() throws Exception {
        PartitionLog log = open("m-0", cfg.withMinCompactionLagMs(60_000));
        append(log, "a", "1", "a", "2");
        roll(log);
        append(log, "b", "1");
        assertThat(cleaner.cleanDirtiest()).isNull();
        clock.advance(60_000);
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(readAll(log).values()).containsExactly("a=2", "b=1");
    }

    @Test
    void rollsAnIdleActiveSegmentSoAQuietLogStillCompacts() throws Exception {
        PartitionLog log = open("q-0", cfg);
        append(log, "a", "1", "a", "2", "a", "3");
        assertThat(cleaner.cleanDirtiest()).isNull(); // all in the active segment
        clock.advance(1_001);
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(readAll(log)).containsExactly(Map.entry(2L, "a=3"));
    }

    @Test
    void ignoresLogsThatAreNotCompacted() throws Exception {
        PartitionLog log = open("d-0", cfg.withCompact(false));
        append(log, "a", "1", "a", "2");
        roll(log);
        append(log, "b", "1");
        assertThat(cleaner.cleanDirtiest()).isNull();
        log.updateConfig(cfg);
        assertThat(cleaner.cleanDirtiest()).isNotNull();
    }

    @Test
    void readersHoldingReplacedSegmentsKeepReadingThem() throws Exception {
        PartitionLog log = open("s-0", cfg);
        append(log, "a", "1", "b", "1");
        append(log, "a", "2");
        roll(log);
        append(log, "c", "1");
        LogSlice before = log.read(0, 1 << 20, true, Long.MAX_VALUE);
        ByteBuffer beforeBytes = TestBatches.readSlice(before);
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        assertThat(TestBatches.readSlice(before)).isEqualTo(beforeBytes); // old channel, renamed to .deleted, still open
        assertThat(files(log, ".deleted")).isPositive();
        assertThat(readAll(log)).containsExactly(Map.entry(1L, "b=1"), Map.entry(2L, "a=2"), Map.entry(3L, "c=1"));
    }

    @Test
    void concurrentReadsAndAppendsDuringCleaningSeeConsistentData() throws Exception {
        PartitionLog log = open("x-0", cfg.withFileDeleteDelayMs(60_000));
        AtomicReference<Throwable> readerError = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean(); // not interrupt(): that would close the segment's FileChannel
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Map<Long, String> seen = readAll(log);
                    long prev = -1;
                    for (long o : seen.keySet()) {
                        if (o <= prev) throw new AssertionError("offsets not ascending: " + seen.keySet());
                        prev = o;
                    }
                }
            } catch (Throwable t) {
                readerError.compareAndSet(null, t);
            }
        });
        reader.start();
        try {
            for (int round = 0; round < 30; round++) {
                for (int i = 0; i < 5; i++) append(log, "k" + (i + round) % 7, "r" + round);
                roll(log);
                cleaner.cleanDirtiest();
            }
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
        assertThat(readerError.get()).isNull();
        Map<String, String> latest = new LinkedHashMap<>();
        readAll(log).values().forEach(kv -> latest.merge(kv.substring(0, kv.indexOf('=')), kv, (x, y) -> {
            throw new AssertionError("key twice after cleaning: " + x + ", " + y);
        }));
        assertThat(latest).hasSize(7);
        assertThat(log.logEndOffset()).isEqualTo(150);
    }

    @Test
    void reopeningKeepsTheCheckpoint() throws Exception {
        PartitionLog log = open("p-0", cfg);
        append(log, "a", "1", "a", "2");
        roll(log);
        append(log, "b", "1");
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        Map<Long, String> content = readAll(log);
        log.close();
        cleaner.unregister(log);
        logs.remove(log);
        PartitionLog reopened = open("p-0", cfg);
        assertThat(reopened.cleanerCheckpoint()).isEqualTo(2);
        assertThat(readAll(reopened)).isEqualTo(content);
        assertThat(cleaner.cleanDirtiest()).isNull();
    }

    @Test
    void truncationBelowTheCheckpointLowersIt() throws Exception {
        PartitionLog log = open("u-0", cfg);
        append(log, "a", "1", "a", "2");
        roll(log);
        append(log, "b", "1");
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        log.truncateTo(1);
        assertThat(log.cleanerCheckpoint()).isEqualTo(1);
    }

    @Test
    void leftoverCleanedFilesAreDeletedAtOpen() throws Exception {
        PartitionLog log = open("l-0", cfg);
        append(log, "a", "1");
        roll(log);
        append(log, "a", "2");
        Map<Long, String> content = readAll(log);
        log.close();
        logs.remove(log);
        Files.write(log.dir().resolve(StorageFiles.fileName(0, StorageFiles.LOG_SUFFIX) + StorageFiles.CLEANED_SUFFIX), new byte[100]);
        PartitionLog reopened = open("l-0", cfg);
        assertThat(files(reopened, ".cleaned")).isZero();
        assertThat(readAll(reopened)).isEqualTo(content);
    }

    @Test
    void aCommittedSwapInterruptedByACrashIsCompletedAtOpen() throws Exception {
        // the same data in two logs; one gets cleaned, the other "crashes" with only the swap file written
        PartitionLog cleaned = open("a-0", cfg.withSegmentBytes(200));
        PartitionLog crashed = open("b-0", cfg.withSegmentBytes(200));
        for (PartitionLog log : List.of(cleaned, crashed)) {
            for (int i = 0; i < 6; i++) append(log, "k" + i % 2, "v" + i);
            append(log, "z", "1");
        }
        assertThat(crashed.segmentCount()).isGreaterThan(3);
        long activeBase = crashed.segmentList().get(crashed.segmentCount() - 1).baseOffset();
        cleaner.unregister(crashed);
        cleaned.updateConfig(cfg.withSegmentBytes(1_000)); // lets the cleaner merge the old segments into one
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        Map<Long, String> expected = readAll(cleaned);
        assertThat(cleaned.segmentCount()).isLessThan(crashed.segmentCount());
        byte[] mergedFirst = Files.readAllBytes(cleaned.dir().resolve(StorageFiles.fileName(0, StorageFiles.LOG_SUFFIX)));
        long mergedEnd = cleaned.segmentList().get(1).baseOffset();
        crashed.close();
        logs.remove(crashed);
        // the crash came after the first old log file was renamed to .deleted (not yet its index) and before the others
        Path dir = crashed.dir();
        Files.move(dir.resolve(StorageFiles.fileName(0, StorageFiles.LOG_SUFFIX)),
                dir.resolve(StorageFiles.fileName(0, StorageFiles.LOG_SUFFIX) + StorageFiles.DELETED_SUFFIX));
        Files.write(dir.resolve(StorageFiles.swapFileName(0, mergedEnd)), mergedFirst);
        Files.deleteIfExists(dir.resolve(StorageFiles.CLEAN_SHUTDOWN));

        PartitionLog recovered = PartitionLog.open(dir, cfg.withSegmentBytes(200), clock);
        logs.add(recovered);
        assertThat(readAll(recovered)).isEqualTo(expected);
        assertThat(files(recovered, ".swap") + files(recovered, ".deleted")).isZero();
        assertThat(recovered.segmentList().get(recovered.segmentCount() - 1).baseOffset()).isEqualTo(activeBase);
    }

    @Test
    void keepsTheEmptiedLastBatchOfAnIdempotentProducerSoItsSequenceSurvives() throws Exception {
        PartitionLog log = open("i-0", cfg);
        log.append(batch(clock.millis(), 7, (short) 0, 0, "a", "1"), 0); // seq 0
        log.append(batch(clock.millis(), 7, (short) 0, 1, "b", "1"), 0); // seq 1: the producer's last batch
        append(log, "b", "2");                                            // empties it
        roll(log);
        append(log, "c", "1");
        assertThat(cleaner.cleanDirtiest()).isNotNull();
        List<BatchHeader> batches = TestBatches.batchesIn(log.read(0, 1 << 20, true, Long.MAX_VALUE));
        assertThat(batches).extracting(BatchHeader::producerId).containsExactly(7L, 7L, -1L);
        assertThat(batches.get(1).recordCount()).isZero(); // kept as an empty header
        assertThat(batches.get(1).baseSequence()).isEqualTo(1);
        assertThat(readAll(log)).containsExactly(Map.entry(0L, "a=1"), Map.entry(2L, "b=2"), Map.entry(3L, "c=1"));

        // rebuild the producer state from the log alone: the next sequence is 2
        log.close();
        logs.remove(log);
        cleaner.unregister(log);
        try (Stream<Path> s = Files.list(log.dir())) {
            for (Path p : s.filter(p -> p.toString().endsWith(StorageFiles.SNAPSHOT_SUFFIX)).toList()) Files.delete(p);
        }
        PartitionLog reopened = open("i-0", cfg);
        assertThatCode(() -> reopened.append(batch(clock.millis(), 7, (short) 0, 2, "d", "1"), 0)).doesNotThrowAnyException();
    }
}
