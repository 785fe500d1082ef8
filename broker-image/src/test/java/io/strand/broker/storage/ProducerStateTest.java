package io.strand.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000);
    final LogConfig cfg = LogConfig.defaults().withIndexIntervalBytes(64).withSegmentBytes(400).withFileDeleteDelayMs(0);
    PartitionLog log;

    PartitionLog open() throws Exception {
        log = PartitionLog.open(tmp.resolve("p-0"), cfg, clock);
        return log;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) log.close();
    }

    static ByteBuffer idem(long pid, int epoch, int seq, int records) {
        return TestBatches.builder().producer(pid, epoch, seq).records(records).build();
    }

    @Test
    void duplicateBatchIsNotWrittenTwice() throws Exception {
        open();
        log.append(TestBatches.batch(1, 1), 0);
        AppendResult first = log.append(idem(7, 0, 0, 3), 0);
        long size = log.sizeInBytes();
        AppendResult retry = log.append(idem(7, 0, 0, 3), 0);
        assertThat(retry).isEqualTo(new AppendResult(1, 3, -1, 0, true));
        assertThat(first.duplicate()).isFalse();
        assertThat(log.sizeInBytes()).isEqualTo(size);
        assertThat(log.logEndOffset()).isEqualTo(4);
        // an older cached batch (within the last 5) is also a duplicate
        log.append(idem(7, 0, 3, 2), 0);
        assertThat(log.append(idem(7, 0, 0, 3), 0).baseOffset()).isEqualTo(1);
        assertThat(log.append(idem(7, 0, 5, 1), 0).baseOffset()).isEqualTo(6);
    }

    @Test
    void sequenceGapsAndFencedEpochsAreRejected() throws Exception {
        open();
        log.append(idem(7, 3, 10, 2), 0); // unknown producer: any sequence
        assertThatThrownBy(() -> log.append(idem(7, 3, 13, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class)
                .satisfies(e -> assertThat(((StorageException) e).kafkaErrorCode()).isEqualTo((short) 45));
        assertThatThrownBy(() -> log.append(idem(7, 2, 12, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.append(idem(7, 4, 5, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
        log.append(idem(7, 3, 12, 1), 0);
        log.append(idem(7, 4, 0, 1), 0); // new epoch starts at 0
        assertThatThrownBy(() -> log.append(idem(7, 3, 13, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        // several batches of one producer in one request must chain
        log.append(TestBatches.concat(idem(7, 4, 1, 2), idem(7, 4, 3, 2), idem(8, 0, 0, 1)), 0);
        assertThatThrownBy(() -> log.append(TestBatches.concat(idem(7, 4, 5, 1), idem(7, 4, 7, 1)), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        // a rejected request leaves no trace: seq 5 is still expected
        assertThat(log.append(idem(7, 4, 5, 1), 0).duplicate()).isFalse();
    }

    @Test
    void sequenceWrapsAround() throws Exception {
        open();
        log.append(idem(9, 0, Integer.MAX_VALUE - 1, 2), 0);
        assertThat(log.append(idem(9, 0, 0, 1), 0).duplicate()).isFalse();
    }

    @Test
    void producerStateSurvivesCleanReopenViaSnapshot() throws Exception {
        open();
        for (int i = 0; i < 10; i++) log.append(idem(7, 1, i * 2, 2), 0);
        log.close();
        Path snapshot = tmp.resolve("p-0").resolve(String.format("%020d.snapshot", 20));
        assertThat(snapshot).exists();
        open();
        assertThat(log.append(idem(7, 1, 18, 2), 0)).isEqualTo(new AppendResult(18, 19, -1, 0, true));
        assertThatThrownBy(() -> log.append(idem(7, 0, 20, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.append(idem(7, 1, 20, 1), 0).baseOffset()).isEqualTo(20);
    }

    @Test
    void producerStateSurvivesUncleanReopenByScanning() throws Exception {
        PartitionLog crashed = PartitionLog.open(tmp.resolve("p-0"), cfg, clock);
        for (int i = 0; i < 10; i++) crashed.append(idem(7, 1, i * 2, 2), 0);
        // no close; remove any roll-time snapshots so the whole log must be scanned
        try (Stream<Path> files = Files.list(tmp.resolve("p-0"))) {
            for (Path p : (Iterable<Path>) files::iterator) if (p.toString().endsWith(".snapshot")) Files.delete(p);
        }
        open();
        assertThat(log.append(idem(7, 1, 18, 2), 0)).isEqualTo(new AppendResult(18, 19, -1, 0, true));
        assertThatThrownBy(() -> log.append(idem(7, 1, 21, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.append(idem(7, 1, 20, 1), 0).baseOffset()).isEqualTo(20);
    }

    @Test
    void uncleanReopenUsesRollSnapshotPlusTail() throws Exception {
        PartitionLog crashed = PartitionLog.open(tmp.resolve("p-0"), cfg, clock);
        for (int i = 0; i < 10; i++) crashed.append(idem(7, 1, i * 2, 2), 0);
        assertThat(crashed.segmentCount()).isGreaterThan(1);
        open();
        assertThat(log.append(idem(7, 1, 18, 2), 0).duplicate()).isTrue();
        assertThat(log.append(idem(7, 1, 20, 1), 0).baseOffset()).isEqualTo(20);
    }

    @Test
    void truncationRewindsProducerState() throws Exception {
        open();
        for (int i = 0; i < 10; i++) log.append(idem(7, 1, i * 2, 2), 0);
        log.truncateTo(10);
        assertThat(log.append(idem(7, 1, 10, 2), 0)).isEqualTo(new AppendResult(10, 11, -1, 0, false));
    }

    @Test
    void corruptSnapshotFallsBackToScanning() throws Exception {
        open();
        for (int i = 0; i < 10; i++) log.append(idem(7, 1, i * 2, 2), 0);
        log.close();
        try (Stream<Path> files = Files.list(tmp.resolve("p-0"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.toString().endsWith(".snapshot")) Files.write(p, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            }
        }
        open();
        assertThat(log.append(idem(7, 1, 18, 2), 0).duplicate()).isTrue();
        assertThatThrownBy(() -> log.append(idem(7, 0, 20, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void uncleanReopenAfterTruncationDoesNotUseStaleSnapshots() throws Exception {
        PartitionLog crashed = PartitionLog.open(tmp.resolve("p-0"), cfg, clock);
        for (int i = 0; i < 10; i++) crashed.append(idem(7, 1, i * 2, 2), 0);
        crashed.truncateTo(6);
        crashed.append(idem(7, 1, 6, 1), 0);
        // crash: no close
        open();
        assertThat(log.logEndOffset()).isEqualTo(7);
        assertThat(log.append(idem(7, 1, 7, 1), 0)).isEqualTo(new AppendResult(7, 7, -1, 0, false));
    }
}
