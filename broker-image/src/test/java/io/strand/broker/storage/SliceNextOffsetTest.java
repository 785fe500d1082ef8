package io.strand.broker.storage;

import static io.strand.broker.storage.TestBatches.batch;
import static io.strand.broker.storage.TestBatches.batchesIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.storage.TestBatches.MutableClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogSlice#nextOffset()} (what messages-out counts) agrees with the batches actually in the slice. */
class SliceNextOffsetTest {
    @TempDir
    Path tmp;

    @Test
    void nextOffsetFollowsTheLastBatchForEveryBound() throws Exception {
        LogConfig cfg = LogConfig.defaults().withIndexIntervalBytes(150).withSegmentBytes(1_000).withFileDeleteDelayMs(0);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), cfg, new MutableClock(1_000_000))) {
            for (int i = 0; i < 40; i++) {
                log.append(batch(1 + i % 4, 100 + i), 0); // batches of 1..4 records, several segments
            }
            long leo = log.logEndOffset();
            int checked = 0;
            for (long fetch = 0; fetch < leo; fetch += 3) {
                for (int maxBytes : new int[] {1, 60, 100, 250, 777, 1 << 20}) {
                    for (long maxOffset : new long[] {fetch + 1, fetch + 5, leo - 2, leo, Long.MAX_VALUE}) {
                        for (boolean minOne : new boolean[] {true, false}) {
                            LogSlice slice = log.read(fetch, maxBytes, minOne, maxOffset);
                            if (slice.isEmpty()) {
                                assertThat(slice.nextOffset()).isEqualTo(-1);
                                continue;
                            }
                            List<BatchHeader> batches = batchesIn(slice);
                            assertThat(slice.nextOffset()).as("fetch %d maxBytes %d maxOffset %d minOne %s", fetch, maxBytes, maxOffset, minOne)
                                    .isEqualTo(batches.get(batches.size() - 1).lastOffset() + 1);
                            checked++;
                        }
                    }
                }
            }
            assertThat(checked).isGreaterThan(200);
        }
    }
}
