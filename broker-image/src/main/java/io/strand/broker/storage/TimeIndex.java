package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse time index of one segment: entries (timestamp, relative offset), both strictly/weakly ascending. An entry
 * {@code (t, o)} means: the batch with base offset {@code o} is the first batch of the segment whose maxTimestamp
 * reached {@code t}, and every earlier batch has a smaller maxTimestamp. When a segment becomes inactive (roll, clean
 * shutdown) a final entry with the segment's overall max timestamp is added, so the last entry of a persisted index is
 * the segment's largest timestamp.
 *
 * <p>Kept on the heap like {@link OffsetIndex} and written to {@code %020d.timeindex} (big-endian int64 timestamp,
 * int32 relativeOffset per entry) on roll and clean shutdown. Thread-safety: all methods are {@code synchronized}.
 */
final class TimeIndex {
    static final int ENTRY_SIZE = 12;

    private final long baseOffset;
    private final int maxEntries;
    private long[] timestamps = new long[8];
    private int[] relOffsets = new int[8];
    private int size;

    TimeIndex(long baseOffset, int maxIndexBytes) {
        this.baseOffset = baseOffset;
        this.maxEntries = Math.max(1, maxIndexBytes / ENTRY_SIZE);
    }

    synchronized boolean isFull() {
        return size >= maxEntries;
    }

    synchronized int entries() {
        return size;
    }

    /**
     * Adds {@code (timestamp, offset)} if the timestamp is larger than the last entry's. With {@code force} the entry is
     * added even when the index is full (by replacing the last entry), used for the final entry on roll.
     */
    synchronized void maybeAppend(long timestamp, long offset, boolean force) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) return;
        if (size > 0 && (timestamp <= timestamps[size - 1] || rel < relOffsets[size - 1])) return;
        if (size >= maxEntries) {
            if (!force) return;
            size--;
        }
        if (size == timestamps.length) {
            int n = Math.min(maxEntries, size * 2);
            timestamps = Arrays.copyOf(timestamps, n);
            relOffsets = Arrays.copyOf(relOffsets, n);
        }
        timestamps[size] = timestamp;
        relOffsets[size] = (int) rel;
        size++;
    }

    /** Base offset of the batch of the last entry with timestamp {@code <= target}; the segment base when none. */
    synchronized long lookup(long target) {
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timestamps[mid] <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset : baseOffset + relOffsets[found];
    }

    /** Timestamp of the last entry, or {@code Long.MIN_VALUE} when empty. */
    synchronized long lastTimestamp() {
        return size == 0 ? Long.MIN_VALUE : timestamps[size - 1];
    }

    /** Offset of the last entry, or -1 when empty. */
    synchronized long lastOffset() {
        return size == 0 ? -1 : baseOffset + relOffsets[size - 1];
    }

    /** Removes entries whose offset is {@code >= offset}. */
    synchronized void truncateTo(long offset) {
        long rel = offset - baseOffset;
        while (size > 0 && relOffsets[size - 1] >= rel) size--;
    }

    synchronized void clear() {
        size = 0;
    }

    synchronized void writeTo(Path file, boolean fsync) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size * ENTRY_SIZE);
        for (int i = 0; i < size; i++) buf.putLong(timestamps[i]).putInt(relOffsets[i]);
        buf.flip();
        StorageFiles.writeAtomically(file, buf, fsync);
    }

    /** Loads an index file; null when it is missing or inconsistent (bad length, entries not ascending). */
    static TimeIndex load(Path file, long baseOffset, int maxIndexBytes) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length % ENTRY_SIZE != 0) return null;
        TimeIndex idx = new TimeIndex(baseOffset, Math.max(maxIndexBytes, bytes.length));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            long ts = b.getLong();
            int rel = b.getInt();
            int before = idx.size;
            idx.maybeAppend(ts, baseOffset + rel, false);
            if (idx.size == before) return null;
        }
        return idx;
    }
}
