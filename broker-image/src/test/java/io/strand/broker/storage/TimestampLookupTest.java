package io.strand.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimestampLookupTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(1_000);
    final LogConfig cfg = LogConfig.defaults().withIndexIntervalBytes(150).withSegmentBytes(600).withFileDeleteDelayMs(0);
    PartitionLog log;

    @AfterEach
    void tearDown() throws Exception {
        if (log != null) log.close();
    }

    /** Batch i (offsets 2i, 2i+1) has records at 100*i and 100*i+7, except batch 7 which is "late" (ts 150). */
    void fill() throws Exception {
        log = PartitionLog.open(tmp.resolve("ts-0"), cfg, clock);
        for (int i = 0; i < 30; i++) {
            long ts = i == 7 ? 150 : 100L * i;
            log.append(TestBatches.builder().records(2).timestamp(ts).timestampStep(7).build(), 0);
        }
        assertThat(log.segmentCount()).isGreaterThan(3);
    }

    @Test
    void findsFirstBatchWithMaxTimestampAtOrAfterTarget() throws Exception {
        fill();
        check();
        log.close();
        log = PartitionLog.open(tmp.resolve("ts-0"), cfg, clock);
        check();
    }

    private void check() throws Exception {
        TimestampMatch m = log.findBatchByTimestamp(1200);
        assertThat(m.baseOffset()).isEqualTo(24);
        assertThat(m.lastOffset()).isEqualTo(25);
        assertThat(m.maxTimestamp()).isEqualTo(1207);
        ByteBuffer bytes = ByteBuffer.allocate(m.size());
        BatchHeader.readFully(m.channel(), bytes, m.position());
        assertThat(BatchHeader.parse(bytes.flip(), 0).baseOffset()).isEqualTo(24);
        assertThat(log.findBatchByTimestamp(1201).baseOffset()).isEqualTo(24);
        assertThat(log.findBatchByTimestamp(1208).baseOffset()).isEqualTo(26);
        assertThat(log.findBatchByTimestamp(0).baseOffset()).isZero();
        assertThat(log.findBatchByTimestamp(150).baseOffset()).isEqualTo(4); // batch 2 has max ts 207
        assertThat(log.findBatchByTimestamp(2908)).isNull();
    }

    @Test
    void maxTimestampBatch() throws Exception {
        log = PartitionLog.open(tmp.resolve("ts-0"), cfg, clock);
        assertThat(log.findMaxTimestampBatch()).isNull();
        assertThat(log.findBatchByTimestamp(0)).isNull();
        for (int i = 0; i < 30; i++) {
            long ts = i == 11 || i == 20 ? 50_000 : 100L * i;
            log.append(TestBatches.batch(2, ts), 0);
        }
        TimestampMatch m = log.findMaxTimestampBatch();
        assertThat(m.baseOffset()).isEqualTo(22);
        assertThat(m.maxTimestamp()).isEqualTo(50_000);
        log.close();
        log = PartitionLog.open(tmp.resolve("ts-0"), cfg, clock);
        assertThat(log.findMaxTimestampBatch().baseOffset()).isEqualTo(22);
    }

    @Test
    void skipsBatchesBelowLogStart() throws Exception {
        fill();
        log.deleteRecordsBefore(5);
        assertThat(log.findBatchByTimestamp(0).baseOffset()).isEqualTo(4);
    }
}
