package io.strand.broker.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Builds valid uncompressed v2 record batches by hand, and reads batches back from slices. */
final class TestBatches {
    private TestBatches() {
    }

    static Builder builder() {
        return new Builder();
    }

    /** An uncompressed batch of {@code records} records with 10-byte values and the given timestamp. */
    static ByteBuffer batch(int records, long timestamp) {
        return builder().records(records).timestamp(timestamp).build();
    }

    static ByteBuffer concat(ByteBuffer... batches) {
        int total = 0;
        for (ByteBuffer b : batches) total += b.remaining();
        ByteBuffer out = ByteBuffer.allocate(total);
        for (ByteBuffer b : batches) out.put(b.duplicate());
        return out.flip();
    }

    static final class Builder {
        private int records = 1;
        private long timestamp = 1_000;
        private long timestampStep = 0;
        private int valueSize = 10;
        private long producerId = -1;
        private short producerEpoch = -1;
        private int baseSequence = -1;

        Builder records(int n) {
            this.records = n;
            return this;
        }

        Builder timestamp(long ts) {
            this.timestamp = ts;
            return this;
        }

        /** Record i gets timestamp + i * step. */
        Builder timestampStep(long step) {
            this.timestampStep = step;
            return this;
        }

        Builder valueSize(int n) {
            this.valueSize = n;
            return this;
        }

        Builder producer(long pid, int epoch, int baseSeq) {
            this.producerId = pid;
            this.producerEpoch = (short) epoch;
            this.baseSequence = baseSeq;
            return this;
        }

        ByteBuffer build() {
            ByteArrayOutputStream recs = new ByteArrayOutputStream();
            long maxTs = timestamp;
            for (int i = 0; i < records; i++) {
                long ts = timestamp + i * timestampStep;
                maxTs = Math.max(maxTs, ts);
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.write(0); // attributes
                writeVarlong(body, ts - timestamp);
                writeVarlong(body, i);
                writeVarlong(body, -1); // null key
                writeVarlong(body, valueSize);
                for (int j = 0; j < valueSize; j++) body.write('a' + (i + j) % 26);
                writeVarlong(body, 0); // headers
                writeVarlong(recs, body.size());
                recs.writeBytes(body.toByteArray());
            }
            byte[] r = recs.toByteArray();
            ByteBuffer b = ByteBuffer.allocate(BatchHeader.HEADER_SIZE + r.length);
            b.putLong(0).putInt(b.capacity() - 12).putInt(-1).put((byte) 2).putInt(0).putShort((short) 0)
                    .putInt(records - 1).putLong(timestamp).putLong(maxTs).putLong(producerId).putShort(producerEpoch)
                    .putInt(baseSequence).putInt(records).put(r);
            b.flip();
            b.putInt(BatchHeader.CRC, BatchHeader.computeCrc(b, 0, b.capacity()));
            return b;
        }
    }

    static void writeVarlong(ByteArrayOutputStream out, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
    }

    static ByteBuffer readSlice(LogSlice slice) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(slice.length());
        if (slice.length() > 0) BatchHeader.readFully(slice.channel(), buf, slice.position());
        return buf.flip();
    }

    /** The complete batches in a slice (a trailing partial batch is ignored), each CRC-checked. */
    static List<BatchHeader> batchesIn(LogSlice slice) throws IOException {
        return batchesIn(readSlice(slice));
    }

    static List<BatchHeader> batchesIn(ByteBuffer buf) {
        List<BatchHeader> out = new ArrayList<>();
        int pos = 0;
        while (buf.limit() - pos >= BatchHeader.HEADER_SIZE) {
            BatchHeader h = BatchHeader.parse(buf, pos);
            if (pos + h.sizeInBytes() > buf.limit()) break;
            if (BatchHeader.computeCrc(buf, pos, h.sizeInBytes()) != h.crc()) throw new AssertionError("bad CRC at " + pos);
            out.add(h);
            pos += h.sizeInBytes();
        }
        return out;
    }

    /** A clock tests can move. */
    static final class MutableClock extends Clock {
        private final AtomicLong millis;

        MutableClock(long startMs) {
            this.millis = new AtomicLong(startMs);
        }

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        void set(long ms) {
            millis.set(ms);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
