package io.strand.broker.server.log;

import io.strand.broker.protocol.RecordFiltering;
import io.strand.broker.storage.RecordCodec;
import java.nio.ByteBuffer;

/** The storage layer's {@link RecordCodec}, backed by Kafka's record classes through {@link RecordFiltering}. Stateless. */
public final class KafkaRecordCodec implements RecordCodec {
    public static final KafkaRecordCodec INSTANCE = new KafkaRecordCodec();

    private KafkaRecordCodec() {
    }

    @Override
    public void forEachRecord(ByteBuffer batches, RecordVisitor visitor) {
        RecordFiltering.forEachRecord(batches, visitor::record);
    }

    @Override
    public ByteBuffer filter(ByteBuffer batches, RecordFilter filter, long deleteHorizonMs) {
        return RecordFiltering.filter(batches, new RecordFiltering.RetentionPolicy() {
            @Override
            public boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long batchDeleteHorizonMs) {
                return filter.retainRecord(offset, key, tombstone, batchDeleteHorizonMs);
            }

            @Override
            public boolean retainEmptyBatch(long producerId, long lastOffset) {
                return filter.retainEmptyBatch(producerId, lastOffset);
            }
        }, deleteHorizonMs);
    }
}
