package io.strand.broker.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetentionResult;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Record-level reading and rewriting of stored v2 batches for log compaction, with Kafka's own record classes (so
 * every compression codec works and rewritten batches are exactly what Kafka's cleaner would write). Stateless and
 * thread-safe; decompression buffers are cached per thread because cleaner threads are long-lived.
 */
public final class RecordFiltering {
    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    private RecordFiltering() {
    }

    /** One record of a batch. */
    @FunctionalInterface
    public interface RecordVisitor {
        /** {@code key} is null for a record without key; {@code tombstone} when the value is null. */
        void record(long offset, ByteBuffer key, boolean tombstone, long timestamp);
    }

    /** What to keep while rewriting. */
    public interface RetentionPolicy {
        /** {@code batchDeleteHorizonMs} is -1 when the batch carries no delete horizon. */
        boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long batchDeleteHorizonMs);

        boolean retainEmptyBatch(long producerId, long lastOffset);
    }

    /** Calls {@code visitor} for each record of the (non-control) batches in {@code batches}, decompressing as needed. */
    public static void forEachRecord(ByteBuffer batches, RecordVisitor visitor) {
        BufferSupplier buffers = BUFFERS.get();
        for (RecordBatch batch : MemoryRecords.readableRecords(batches.duplicate()).batches()) {
            if (batch.isControlBatch()) continue;
            try (CloseableIterator<Record> records = batch.streamingIterator(buffers)) {
                while (records.hasNext()) {
                    Record r = records.next();
                    visitor.record(r.offset(), r.key(), !r.hasValue(), r.timestamp());
                }
            }
        }
    }

    /**
     * Rewrites {@code batches} keeping what {@code policy} retains, via {@link MemoryRecords#filterTo}: offsets, last
     * offsets, producer fields, timestamps and compression are preserved; batches keeping a tombstone without a delete
     * horizon get {@code deleteHorizonMs}; emptied batches are dropped unless {@link RetentionPolicy#retainEmptyBatch}
     * (then only the header remains, so the producer's last sequence is not lost). Control batches are kept as they are.
     *
     * @return the rewritten batches, flipped for reading
     */
    public static ByteBuffer filter(ByteBuffer batches, RetentionPolicy policy, long deleteHorizonMs) {
        // filterTo stamps currentTime + deleteRetentionMs, so the horizon goes in whole as "current time"
        MemoryRecords.RecordFilter filter = new MemoryRecords.RecordFilter(deleteHorizonMs, 0) {
            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                boolean keepEmpty = batch.isControlBatch()
                        || batch.hasProducerId() && policy.retainEmptyBatch(batch.producerId(), batch.lastOffset());
                return new BatchRetentionResult(keepEmpty ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
                if (batch.isControlBatch()) return true;
                return policy.retainRecord(record.offset(), record.key(), !record.hasValue(), batch.deleteHorizonMs().orElse(-1));
            }
        };
        ByteBuffer src = batches.duplicate();
        ByteBuffer out = ByteBuffer.allocate(Math.max(src.remaining(), 64));
        while (src.hasRemaining()) {
            // filterTo returns early after it had to grow the output buffer; continue where it stopped
            MemoryRecords.FilterResult result = MemoryRecords.readableRecords(src.slice()).filterTo(filter, out, BUFFERS.get());
            out = result.outputBuffer();
            if (result.bytesRead() == 0) break; // nothing but a partial batch left: not ours to drop silently
            src.position(src.position() + result.bytesRead());
        }
        return out.flip();
    }
}
