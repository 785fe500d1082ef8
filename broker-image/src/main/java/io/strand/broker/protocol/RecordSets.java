package io.strand.broker.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Everything the server needs from Kafka's record classes, kept here so no other package depends on them
 * (they are internal to kafka-clients and move between releases). Stateless and thread-safe.
 */
public final class RecordSets {
    private RecordSets() {
    }

    /** The produced bytes of one partition, exactly as the client sent them (a view into the request frame). */
    public static ByteBuffer producedBytes(ProduceRequestData.PartitionProduceData partition) {
        BaseRecords records = partition.records();
        if (records == null) {
            return ByteBuffer.allocate(0);
        }
        if (records instanceof MemoryRecords memory) {
            return memory.buffer().duplicate();
        }
        throw new IllegalArgumentException("unexpected produce records " + records.getClass().getName());
    }

    /**
     * Checks what the storage layer cannot see without decoding records: only v2 batches are accepted, and on
     * compacted topics every record needs a key (decompressing the batch when needed).
     *
     * @throws InvalidRecordException with a message for the client
     */
    public static void validate(ByteBuffer batches, boolean requireKeys) {
        MemoryRecords records = MemoryRecords.readableRecords(batches.duplicate());
        for (RecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new InvalidRecordException("record batch magic " + batch.magic() + " is not supported; use message format v2");
            }
            if (requireKeys && !batch.isControlBatch()) {
                for (Record record : batch) {
                    if (!record.hasKey()) {
                        throw new InvalidRecordException("compacted topics accept only records with a key (offset delta "
                                + (record.offset() - batch.baseOffset()) + " has none)");
                    }
                }
            }
        }
    }

    public static void setRecords(FetchResponseData.PartitionData partition, FileChannel channel, long position, int length) {
        partition.setRecords(new FileSliceRecords(channel, position, length));
    }

    public static void setNoRecords(FetchResponseData.PartitionData partition) {
        partition.setRecords(MemoryRecords.EMPTY);
    }

    public static int sizeOf(FetchResponseData.PartitionData partition) {
        return partition.records() == null ? 0 : partition.records().sizeInBytes();
    }

    /** The offset and timestamp of one record found inside a batch. */
    public record OffsetAndTimestamp(long offset, long timestamp) {
    }

    /**
     * Finds, within the batch at {@code [position, position + size)} of a segment file, the first record whose
     * timestamp is at least {@code target} (or, with {@code exactMax}, equal to it). Decompresses as needed.
     */
    public static OffsetAndTimestamp findInBatch(FileChannel channel, long position, int size, long target, boolean exactMax)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
        for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
            for (Record record : batch) {
                long ts = batch.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME
                        ? batch.maxTimestamp() : record.timestamp();
                if (exactMax ? ts == target : ts >= target) {
                    return new OffsetAndTimestamp(record.offset(), ts);
                }
            }
        }
        return null;
    }

    /** One key/value record of an internal topic; a null value is a tombstone. */
    public record KeyValue(byte[] key, byte[] value) {
    }

    /** A record read back from a log, with its offset and timestamp. */
    public record LoggedRecord(long offset, long timestamp, ByteBuffer key, ByteBuffer value) {
    }

    /** One uncompressed v2 batch (offsets from 0; the log assigns the real ones) holding {@code records} in order. */
    public static ByteBuffer batchOf(List<KeyValue> records, long timestamp) {
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(timestamp, records.get(i).key(), records.get(i).value());
        }
        return MemoryRecords.withRecords(Compression.NONE, simple).buffer();
    }

    /**
     * Reads the batches stored at {@code [position, position + length)} of a segment file (a log slice) and returns
     * their non-control records at or after {@code fromOffset}, decompressing as needed; a truncated trailing batch is
     * ignored (the caller reads again from the offset after the last record returned).
     */
    public static ReadRecords readRecords(FileChannel channel, long position, int length, long fromOffset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
        List<LoggedRecord> out = new ArrayList<>();
        long next = fromOffset;
        for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
            next = Math.max(next, batch.nextOffset());
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record record : batch) {
                if (record.offset() >= fromOffset) {
                    out.add(new LoggedRecord(record.offset(), record.timestamp(),
                            record.hasKey() ? record.key() : null, record.hasValue() ? record.value() : null));
                }
            }
        }
        return new ReadRecords(out, next);
    }

    /** Records read from a slice, and the offset to continue reading from. */
    public record ReadRecords(List<LoggedRecord> records, long nextOffset) {
    }
}
