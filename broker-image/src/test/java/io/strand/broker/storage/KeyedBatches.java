package io.strand.broker.storage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-built uncompressed v2 batches with keys (and null values for tombstones), plus {@link Codec}: a
 * {@link RecordCodec} for such batches, so the cleaner can be tested without Kafka's record classes.
 */
final class KeyedBatches {
    static final short DELETE_HORIZON_MASK = 0x40;

    private KeyedBatches() {
    }

    /** One decoded record. */
    record Rec(int offsetDelta, long timestamp, byte[] key, byte[] value) {
        String keyString() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }

        String valueString() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    /** A batch of records "k1", "v1", "k2", null, ... (a null value is a tombstone), all with timestamp {@code ts}. */
    static ByteBuffer batch(long ts, String... keyValues) {
        return batch(ts, -1, (short) -1, -1, keyValues);
    }

    static ByteBuffer batch(long ts, long producerId, short epoch, int baseSequence, String... keyValues) {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            recs.add(new Rec(i / 2, ts, bytes(keyValues[i]), bytes(keyValues[i + 1])));
        }
        return encode(0, 0, -1, (short) 0, recs.size() - 1, ts, producerId, epoch, baseSequence, recs, -1);
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Encodes a batch; with {@code deleteHorizon >= 0} the horizon flag is set and it becomes the base timestamp. */
    static ByteBuffer encode(long baseOffset, int leaderEpoch, int crcIgnored, short attributes, int lastOffsetDelta, long firstTs,
                             long producerId, short epoch, int baseSequence, List<Rec> recs, long deleteHorizon) {
        long baseTs = deleteHorizon >= 0 ? deleteHorizon : (recs.isEmpty() ? firstTs : recs.get(0).timestamp());
        short attrs = deleteHorizon >= 0 ? (short) (attributes | DELETE_HORIZON_MASK) : attributes;
        long maxTs = recs.isEmpty() ? firstTs : Long.MIN_VALUE;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Rec r : recs) {
            maxTs = Math.max(maxTs, r.timestamp());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(0);
            TestBatches.writeVarlong(body, r.timestamp() - baseTs);
            TestBatches.writeVarlong(body, r.offsetDelta());
            writeBytes(body, r.key());
            writeBytes(body, r.value());
            TestBatches.writeVarlong(body, 0);
            TestBatches.writeVarlong(out, body.size());
            out.writeBytes(body.toByteArray());
        }
        byte[] r = out.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(BatchHeader.HEADER_SIZE + r.length);
        b.putLong(baseOffset).putInt(b.capacity() - 12).putInt(leaderEpoch).put((byte) 2).putInt(0).putShort(attrs)
                .putInt(lastOffsetDelta).putLong(baseTs).putLong(maxTs).putLong(producerId).putShort(epoch)
                .putInt(baseSequence).putInt(recs.size()).put(r);
        b.flip();
        b.putInt(BatchHeader.CRC, BatchHeader.computeCrc(b, 0, b.capacity()));
        return b;
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] v) {
        if (v == null) {
            TestBatches.writeVarlong(out, -1);
        } else {
            TestBatches.writeVarlong(out, v.length);
            out.writeBytes(v);
        }
    }

    /** Decodes the records of the batch at {@code pos} (uncompressed only). */
    static List<Rec> records(ByteBuffer buf, int pos) {
        BatchHeader h = BatchHeader.parse(buf, pos);
        ByteBuffer b = buf.duplicate();
        b.position(pos + BatchHeader.HEADER_SIZE);
        List<Rec> out = new ArrayList<>();
        for (int i = 0; i < h.recordCount(); i++) {
            long len = readVarlong(b);
            int start = b.position();
            b.get(); // attributes
            long tsDelta = readVarlong(b);
            int offDelta = (int) readVarlong(b);
            byte[] key = readBytes(b);
            byte[] value = readBytes(b);
            b.position(start + (int) len);
            out.add(new Rec(offDelta, h.baseTimestamp() + tsDelta, key, value));
        }
        return out;
    }

    private static byte[] readBytes(ByteBuffer b) {
        int n = (int) readVarlong(b);
        if (n < 0) return null;
        byte[] v = new byte[n];
        b.get(v);
        return v;
    }

    static long readVarlong(ByteBuffer b) {
        long z = 0;
        int shift = 0;
        while (true) {
            int x = b.get() & 0xff;
            z |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) break;
            shift += 7;
        }
        return (z >>> 1) ^ -(z & 1);
    }

    /** offset → [key, value] of every record in the buffer's batches (control batches none here). */
    static Map<Long, String[]> decodeAll(ByteBuffer buf) {
        Map<Long, String[]> out = new LinkedHashMap<>();
        int pos = buf.position();
        while (buf.limit() - pos >= BatchHeader.HEADER_SIZE) {
            BatchHeader h = BatchHeader.parse(buf, pos);
            for (Rec r : records(buf, pos)) out.put(h.baseOffset() + r.offsetDelta(), new String[] {r.keyString(), r.valueString()});
            pos += h.sizeInBytes();
        }
        return out;
    }

    static boolean hasDeleteHorizon(BatchHeader h) {
        return (h.attributes() & DELETE_HORIZON_MASK) != 0;
    }

    /** The test {@link RecordCodec}: what {@code KafkaRecordCodec} does, for uncompressed batches. */
    static final class Codec implements RecordCodec {
        @Override
        public void forEachRecord(ByteBuffer batches, RecordVisitor visitor) {
            for (int pos = batches.position(); pos < batches.limit(); ) {
                BatchHeader h = BatchHeader.parse(batches, pos);
                for (Rec r : records(batches, pos)) {
                    visitor.record(h.baseOffset() + r.offsetDelta(), r.key() == null ? null : ByteBuffer.wrap(r.key()).asReadOnlyBuffer(),
                            r.value() == null, r.timestamp());
                }
                pos += h.sizeInBytes();
            }
        }

        @Override
        public ByteBuffer filter(ByteBuffer batches, RecordFilter filter, long deleteHorizonMs) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int pos = batches.position(); pos < batches.limit(); ) {
                BatchHeader h = BatchHeader.parse(batches, pos);
                long horizon = hasDeleteHorizon(h) ? h.baseTimestamp() : -1;
                List<Rec> all = records(batches, pos);
                List<Rec> kept = new ArrayList<>();
                boolean tombstones = false;
                for (Rec r : all) {
                    if (filter.retainRecord(h.baseOffset() + r.offsetDelta(), r.key() == null ? null : ByteBuffer.wrap(r.key()),
                            r.value() == null, horizon)) {
                        kept.add(r);
                        tombstones |= r.value() == null;
                    }
                }
                boolean stamp = tombstones && horizon < 0;
                short attrs = (short) (h.attributes() & ~DELETE_HORIZON_MASK);
                if (kept.size() == all.size() && !stamp) {
                    byte[] copy = new byte[h.sizeInBytes()];
                    batches.duplicate().position(pos).get(copy);
                    out.writeBytes(copy);
                } else if (!kept.isEmpty() || filter.retainEmptyBatch(h.producerId(), h.lastOffset())) {
                    ByteBuffer b = encode(h.baseOffset(), h.partitionLeaderEpoch(), 0, attrs, h.lastOffsetDelta(), h.maxTimestamp(),
                            h.producerId(), h.producerEpoch(), h.baseSequence(), kept,
                            kept.isEmpty() ? -1 : stamp ? deleteHorizonMs : horizon);
                    out.writeBytes(b.array());
                }
                pos += h.sizeInBytes();
            }
            return ByteBuffer.wrap(out.toByteArray());
        }
    }
}
