package io.strand.broker.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The 61-byte header of a Kafka v2 record batch ("magic 2"), decoded, plus static helpers to validate, read and patch
 * batches in a {@link ByteBuffer} or {@link FileChannel}. All multi-byte fields are big-endian; absolute reads are used,
 * so the buffers' positions are never changed. Immutable; thread-safe. The static helpers are stateless.
 *
 * <pre>
 * baseOffset int64 @0 | batchLength int32 @8 | partitionLeaderEpoch int32 @12 | magic int8 @16 | crc uint32 @17
 * attributes int16 @21 | lastOffsetDelta int32 @23 | baseTimestamp int64 @27 | maxTimestamp int64 @35
 * producerId int64 @43 | producerEpoch int16 @51 | baseSequence int32 @53 | recordCount int32 @57 | records @61
 * </pre>
 * The CRC (CRC-32C) covers bytes from {@code attributes} to the end of the batch, so baseOffset and
 * partitionLeaderEpoch can be rewritten without touching it.
 */
public record BatchHeader(long baseOffset, int batchLength, int partitionLeaderEpoch, byte magic, int crc, short attributes,
                          int lastOffsetDelta, long baseTimestamp, long maxTimestamp, long producerId, short producerEpoch,
                          int baseSequence, int recordCount) {

    public static final int BASE_OFFSET = 0;
    public static final int LENGTH = 8;
    public static final int LEADER_EPOCH = 12;
    public static final int MAGIC = 16;
    public static final int CRC = 17;
    public static final int ATTRIBUTES = 21;
    public static final int LAST_OFFSET_DELTA = 23;
    public static final int BASE_TIMESTAMP = 27;
    public static final int MAX_TIMESTAMP = 35;
    public static final int PRODUCER_ID = 43;
    public static final int PRODUCER_EPOCH = 51;
    public static final int BASE_SEQUENCE = 53;
    public static final int RECORD_COUNT = 57;
    /** Size of the header; also the smallest legal batch. */
    public static final int HEADER_SIZE = 61;
    /** Bytes before (and including) the batchLength field: total size = LOG_OVERHEAD + batchLength. */
    public static final int LOG_OVERHEAD = 12;
    public static final byte CURRENT_MAGIC = 2;
    public static final short TIMESTAMP_TYPE_MASK = 0x08;
    public static final short TRANSACTIONAL_MASK = 0x10;
    public static final short CONTROL_MASK = 0x20;

    /** Total size of the batch in bytes. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength;
    }

    public long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    public boolean isTransactional() {
        return (attributes & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes & CONTROL_MASK) != 0;
    }

    public boolean isLogAppendTime() {
        return (attributes & TIMESTAMP_TYPE_MASK) != 0;
    }

    public int compressionType() {
        return attributes & 0x07;
    }

    /** Last sequence number of the batch, wrapping from {@code Integer.MAX_VALUE} to 0 like Kafka. */
    public int lastSequence() {
        return incrementSequence(baseSequence, lastOffsetDelta);
    }

    static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) return increment - (Integer.MAX_VALUE - sequence) - 1;
        return sequence + increment;
    }

    /** Decodes the header at absolute position {@code pos}; requires {@link #HEADER_SIZE} readable bytes there. */
    public static BatchHeader parse(ByteBuffer buf, int pos) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new BatchHeader(b.getLong(pos), b.getInt(pos + LENGTH), b.getInt(pos + LEADER_EPOCH), b.get(pos + MAGIC),
                b.getInt(pos + CRC), b.getShort(pos + ATTRIBUTES), b.getInt(pos + LAST_OFFSET_DELTA),
                b.getLong(pos + BASE_TIMESTAMP), b.getLong(pos + MAX_TIMESTAMP), b.getLong(pos + PRODUCER_ID),
                b.getShort(pos + PRODUCER_EPOCH), b.getInt(pos + BASE_SEQUENCE), b.getInt(pos + RECORD_COUNT));
    }

    /**
     * Reads the header at {@code position} of a file, using {@code scratch} (capacity >= 61) as the read buffer.
     * Returns null when fewer than {@link #HEADER_SIZE} bytes exist before {@code limit}.
     */
    public static BatchHeader read(FileChannel channel, long position, long limit, ByteBuffer scratch) throws IOException {
        if (limit - position < HEADER_SIZE) return null;
        scratch.clear().limit(HEADER_SIZE);
        readFully(channel, scratch, position);
        return parse(scratch, 0);
    }

    /** Positional read that fills {@code dst} completely or throws {@link EOFException}. */
    public static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, p);
            if (n < 0) throw new EOFException("unexpected end of file at " + p);
            p += n;
        }
    }

    /** CRC-32C of bytes [start + 21, start + size) of {@code buf}. */
    public static int computeCrc(ByteBuffer buf, int start, int size) {
        CRC32C crc = new CRC32C();
        ByteBuffer slice = buf.duplicate();
        slice.limit(start + size).position(start + ATTRIBUTES);
        crc.update(slice);
        return (int) crc.getValue();
    }

    /**
     * Checks the structure of the batch at {@code pos} in {@code buf}, whose bytes end at {@code end}: header present,
     * magic 2, batchLength within the buffer, size at most {@code maxBatchBytes}, recordCount >= 1,
     * lastOffsetDelta >= 0 and a correct CRC. Returns the decoded header.
     *
     * @throws CorruptBatchException    when the bytes are not a valid v2 batch
     * @throws RecordTooLargeException  when the batch is larger than {@code maxBatchBytes}
     */
    public static BatchHeader validate(ByteBuffer buf, int pos, int end, int maxBatchBytes) {
        int available = end - pos;
        if (available < HEADER_SIZE) {
            throw new CorruptBatchException("truncated batch header at buffer position " + pos + " (" + available + " bytes)");
        }
        BatchHeader h = parse(buf, pos);
        if (h.magic != CURRENT_MAGIC) throw new CorruptBatchException("unsupported magic " + h.magic + " (only v2 batches)");
        if (h.batchLength < HEADER_SIZE - LOG_OVERHEAD) throw new CorruptBatchException("batchLength too small: " + h.batchLength);
        if (h.sizeInBytes() > maxBatchBytes) {
            throw new RecordTooLargeException("batch of " + h.sizeInBytes() + " bytes exceeds max " + maxBatchBytes);
        }
        if (h.batchLength > available - LOG_OVERHEAD) {
            throw new CorruptBatchException("batchLength " + h.batchLength + " exceeds the " + available + " bytes left");
        }
        if (h.recordCount < 1) throw new CorruptBatchException("recordCount must be >= 1, got " + h.recordCount);
        if (h.lastOffsetDelta < 0) throw new CorruptBatchException("negative lastOffsetDelta " + h.lastOffsetDelta);
        if (h.compressionType() > 4) throw new CorruptBatchException("unknown compression codec " + h.compressionType());
        int actual = computeCrc(buf, pos, h.sizeInBytes());
        if (actual != h.crc) {
            throw new CorruptBatchException(String.format("CRC mismatch: stored %08x, computed %08x", h.crc, actual));
        }
        return h;
    }

    /** Overwrites baseOffset and partitionLeaderEpoch (not covered by the CRC). */
    public static void stampOffsetAndEpoch(ByteBuffer buf, int pos, long baseOffset, int leaderEpoch) {
        buf.putLong(pos + BASE_OFFSET, baseOffset);
        buf.putInt(pos + LEADER_EPOCH, leaderEpoch);
    }

    /** Marks the batch LogAppendTime with {@code maxTimestamp = timestampMs} and recomputes its CRC. */
    public static void stampLogAppendTime(ByteBuffer buf, int pos, int size, long timestampMs) {
        short attrs = buf.getShort(pos + ATTRIBUTES);
        buf.putShort(pos + ATTRIBUTES, (short) (attrs | TIMESTAMP_TYPE_MASK));
        buf.putLong(pos + MAX_TIMESTAMP, timestampMs);
        buf.putInt(pos + CRC, computeCrc(buf, pos, size));
    }
}
