package io.strand.broker.storage;

import java.nio.ByteBuffer;

/**
 * Record-level access to v2 batches for the {@link LogCleaner}. The storage layer reads and writes batches as bytes
 * and cannot decompress them (snappy, lz4, zstd need libraries), so whoever creates the cleaner supplies this: the
 * server implements it with Kafka's record classes. Implementations must be thread-safe (cleaner threads share one).
 *
 * <p>Both methods receive one or more whole, CRC-valid batches between the buffer's position and limit, never
 * control batches (the cleaner copies those unchanged). Keys are handed out as read-only views that are valid only
 * during the callback.
 */
public interface RecordCodec {

    /** Calls {@code visitor} for every record of the batches, in offset order. */
    void forEachRecord(ByteBuffer batches, RecordVisitor visitor);

    /**
     * Rewrites the batches keeping only the records {@code filter} retains, exactly as Kafka's cleaner does: a retained
     * batch keeps its base offset, last offset (hence last sequence), producer id/epoch, base sequence, leader epoch,
     * timestamp type and compression, and each record its offset and timestamp; a batch whose records are all retained
     * and that needs no delete horizon is copied byte for byte. A batch that keeps a tombstone and carries no delete
     * horizon yet gets {@code deleteHorizonMs} (attribute bit 6, stored as the base timestamp; KIP-534). A batch left
     * without records is dropped, or written as an empty header (recordCount 0) when
     * {@link RecordFilter#retainEmptyBatch} says so.
     *
     * @return the rewritten batches, position 0, limit = their size (may be empty)
     */
    ByteBuffer filter(ByteBuffer batches, RecordFilter filter, long deleteHorizonMs);

    /** One record as the cleaner needs it. */
    @FunctionalInterface
    interface RecordVisitor {
        /**
         * @param key       the key bytes, or null for a record without a key
         * @param tombstone the value is null
         */
        void record(long offset, ByteBuffer key, boolean tombstone, long timestamp);
    }

    /** The cleaner's decisions while a batch is rewritten. */
    interface RecordFilter {
        /**
         * @param batchDeleteHorizonMs the delete horizon of the record's batch, or -1 when it has none
         */
        boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long batchDeleteHorizonMs);

        /** Whether a batch of producer {@code producerId} ending at {@code lastOffset} is kept even when emptied. */
        boolean retainEmptyBatch(long producerId, long lastOffset);
    }
}
