package io.strand.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordFilteringTest {

    static ByteBuffer batch(CompressionType type, long producerId, int baseSequence, String... keyValues) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.MAGIC_VALUE_V2, Compression.of(type).build(),
                TimestampType.CREATE_TIME, 10, RecordBatch.NO_TIMESTAMP, producerId, (short) (producerId < 0 ? -1 : 0), baseSequence);
        for (int i = 0; i < keyValues.length; i += 2) {
            b.append(1_000 + i, keyValues[i].getBytes(StandardCharsets.UTF_8),
                    keyValues[i + 1] == null ? null : keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return b.build().buffer();
    }

    static String str(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class)
    void visitsAndFiltersEveryCodecPreservingOffsetsAndStampingTheDeleteHorizon(CompressionType type) {
        ByteBuffer in = batch(type, -1, -1, "a", "1", "b", "1", "a", null, "c", "1"); // offsets 10..13
        List<String> seen = new ArrayList<>();
        RecordFiltering.forEachRecord(in, (offset, key, tombstone, ts) -> seen.add(offset + ":" + str(key) + ":" + tombstone + ":" + ts));
        assertThat(seen).containsExactly("10:a:false:1000", "11:b:false:1002", "12:a:true:1004", "13:c:false:1006");

        ByteBuffer out = RecordFiltering.filter(in, new RecordFiltering.RetentionPolicy() {
            @Override
            public boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long horizon) {
                assertThat(horizon).isEqualTo(-1);
                return offset != 10;
            }

            @Override
            public boolean retainEmptyBatch(long producerId, long lastOffset) {
                return false;
            }
        }, 50_000);

        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(out).batches().forEach(batches::add);
        assertThat(batches).hasSize(1);
        RecordBatch b = batches.get(0);
        assertThat(b.baseOffset()).isEqualTo(10);
        assertThat(b.lastOffset()).isEqualTo(13);
        assertThat(b.compressionType()).isEqualTo(type);
        assertThat(b.deleteHorizonMs()).hasValue(50_000);
        List<String> kept = new ArrayList<>();
        for (Record r : b) kept.add(r.offset() + ":" + str(r.key()) + ":" + str(r.value()) + ":" + r.timestamp());
        assertThat(kept).containsExactly("11:b:1:1002", "12:a:null:1004", "13:c:1:1006");
        b.ensureValid();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "ZSTD"})
    void anEmptiedBatchOfAProducerIsKeptAsAHeaderWhenAsked(CompressionType type) {
        ByteBuffer in = batch(type, 5, 3, "a", "1", "b", "1");
        for (boolean keep : new boolean[] {true, false}) {
            ByteBuffer out = RecordFiltering.filter(in, new RecordFiltering.RetentionPolicy() {
                @Override
                public boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long horizon) {
                    return false;
                }

                @Override
                public boolean retainEmptyBatch(long producerId, long lastOffset) {
                    assertThat(producerId).isEqualTo(5);
                    assertThat(lastOffset).isEqualTo(11);
                    return keep;
                }
            }, 0);
            List<RecordBatch> batches = new ArrayList<>();
            MemoryRecords.readableRecords(out).batches().forEach(batches::add);
            if (!keep) {
                assertThat(batches).isEmpty();
                continue;
            }
            assertThat(batches).hasSize(1);
            RecordBatch b = batches.get(0);
            assertThat(b.countOrNull()).isZero();
            assertThat(b.lastOffset()).isEqualTo(11);
            assertThat(b.baseSequence()).isEqualTo(3);
            assertThat(b.lastSequence()).isEqualTo(4);
            b.ensureValid();
        }
    }
}
