package io.strand.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {
    @TempDir
    Path tmp;

    @Test
    void offsetIndexLookupsTruncationAndPersistence() throws Exception {
        OffsetIndex idx = new OffsetIndex(100, 8 * 4);
        idx.append(110, 500);
        idx.append(120, 1000);
        idx.append(115, 1200); // not ascending: ignored
        idx.append(130, 1500);
        idx.append(140, 2000);
        idx.append(150, 2500); // full: ignored
        assertThat(idx.isFull()).isTrue();
        assertThat(idx.lookup(105)).isZero();
        assertThat(idx.lookup(110)).isEqualTo(500);
        assertThat(idx.lookup(129)).isEqualTo(1000);
        assertThat(idx.lookup(1_000_000)).isEqualTo(2000);
        assertThat(idx.floorPosition(1499)).isEqualTo(1000);
        assertThat(idx.floorPosition(100)).isZero();
        Path file = tmp.resolve("x.index");
        idx.writeTo(file, true);
        assertThat(Files.size(file)).isEqualTo(32);
        OffsetIndex loaded = OffsetIndex.load(file, 100, 1024, 5000);
        assertThat(loaded.entries()).isEqualTo(4);
        assertThat(loaded.lookup(135)).isEqualTo(1500);
        assertThat(OffsetIndex.load(file, 100, 1024, 1900)).as("entry beyond the log").isNull();
        assertThat(OffsetIndex.load(tmp.resolve("missing.index"), 100, 1024, 5000)).isNull();
        idx.truncateTo(130);
        assertThat(idx.entries()).isEqualTo(2);
        assertThat(idx.lookup(1_000_000)).isEqualTo(1000);
    }

    @Test
    void timeIndexKeepsAscendingTimestamps() throws Exception {
        TimeIndex idx = new TimeIndex(0, 12 * 3);
        idx.maybeAppend(100, 0, false);
        idx.maybeAppend(100, 5, false); // not larger: ignored
        idx.maybeAppend(300, 10, false);
        idx.maybeAppend(500, 20, false);
        idx.maybeAppend(700, 30, false); // full
        assertThat(idx.entries()).isEqualTo(3);
        idx.maybeAppend(700, 30, true); // final entry replaces the last one
        assertThat(idx.lastTimestamp()).isEqualTo(700);
        assertThat(idx.lookup(50)).isZero();
        assertThat(idx.lookup(299)).isZero();
        assertThat(idx.lookup(300)).isEqualTo(10);
        assertThat(idx.lookup(10_000)).isEqualTo(30);
        Path file = tmp.resolve("x.timeindex");
        idx.writeTo(file, false);
        TimeIndex loaded = TimeIndex.load(file, 0, 1024);
        assertThat(loaded.lastOffset()).isEqualTo(30);
        Files.write(file, new byte[13]);
        assertThat(TimeIndex.load(file, 0, 1024)).isNull();
    }

    @Test
    void sequenceWrapsLikeKafka() {
        assertThat(BatchHeader.incrementSequence(Integer.MAX_VALUE, 1)).isZero();
        assertThat(BatchHeader.incrementSequence(Integer.MAX_VALUE - 1, 3)).isEqualTo(1);
        assertThat(BatchHeader.incrementSequence(5, 3)).isEqualTo(8);
    }
}
