package io.strand.broker.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key → latest offset map of one cleaning pass, in a fixed amount of memory (Kafka's "SkimpyOffsetMap" idea): keys
 * are stored as their 128-bit MD5 digest, in an open-addressing table of {@code (hashHi, hashLo, offset)} slots with
 * linear probing. With 128-bit digests a collision between two live keys is negligible (~n²/2¹²⁹), and it could only
 * make the cleaner drop a superseded-looking record of a different key.
 *
 * <p>The table is allocated once per cleaner thread and {@link #clear() cleared} per pass; it is {@link #isFull()
 * full} at {@value #LOAD_FACTOR} load, and the cleaner then ends the pass early (the rest stays dirty for the next one).
 * Not thread-safe: owned by one cleaner thread.
 */
final class OffsetMap {
    static final double LOAD_FACTOR = 0.9;
    static final int BYTES_PER_ENTRY = 24;

    private final long[] hashHi;
    private final long[] hashLo;
    private final long[] offsets; // -1 = free slot
    private final int maxEntries;
    private final MessageDigest md5;
    private final byte[] keyBytes = new byte[256];
    private int size;
    /** Digest of the key last passed to {@link #digest}; fields rather than an array to avoid garbage per record. */
    private long hi;
    private long lo;

    OffsetMap(long memoryBytes) {
        int slots = (int) Math.max(16, Math.min(Integer.MAX_VALUE - 8, memoryBytes / BYTES_PER_ENTRY));
        hashHi = new long[slots];
        hashLo = new long[slots];
        offsets = new long[slots];
        Arrays.fill(offsets, -1);
        maxEntries = (int) (slots * LOAD_FACTOR);
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides MD5", e);
        }
    }

    int size() {
        return size;
    }

    /** Entries the map accepts before it counts as full. */
    int capacity() {
        return maxEntries;
    }

    boolean isFull() {
        return size >= maxEntries;
    }

    void clear() {
        Arrays.fill(offsets, -1);
        size = 0;
    }

    /** Records that {@code key} occurs at {@code offset}; the larger offset wins. Ignored when the map is full. */
    void put(ByteBuffer key, long offset) {
        digest(key);
        int slot = find();
        if (offsets[slot] < 0) {
            if (isFull()) return;
            hashHi[slot] = hi;
            hashLo[slot] = lo;
            size++;
        }
        if (offset > offsets[slot]) offsets[slot] = offset;
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        digest(key);
        return offsets[find()];
    }

    private void digest(ByteBuffer key) {
        ByteBuffer k = key.duplicate();
        md5.reset();
        while (k.hasRemaining()) { // through a small array: MessageDigest on direct/read-only buffers copies anyway
            int n = Math.min(k.remaining(), keyBytes.length);
            k.get(keyBytes, 0, n);
            md5.update(keyBytes, 0, n);
        }
        ByteBuffer d = ByteBuffer.wrap(md5.digest());
        hi = d.getLong();
        lo = d.getLong();
    }

    /** The slot holding the current digest, or the free slot where it belongs (the table is never full). */
    private int find() {
        int slot = (int) ((hi ^ (hi >>> 32)) & 0x7fffffffL) % offsets.length;
        while (offsets[slot] >= 0 && (hashHi[slot] != hi || hashLo[slot] != lo)) {
            slot = slot + 1 == offsets.length ? 0 : slot + 1;
        }
        return slot;
    }
}
