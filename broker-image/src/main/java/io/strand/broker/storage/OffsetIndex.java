package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse offset index of one segment: entries (relative offset, file position) of batch starts, ascending in both.
 *
 * <p>Design: the index lives on the heap (two growable int arrays, 8 bytes per entry, about 0.2% of the log size with
 * the default 4 KiB interval) and is written to {@code %020d.index} (big-endian int32 relativeOffset, int32 position per
 * entry) when the segment is rolled and at clean shutdown, atomically via a temp file. Unlike Kafka there is no mmap:
 * that keeps truncation and file deletion simple (no unmapping) and the file is only needed at startup. A lookup never
 * needs an exact entry: readers scan batch headers forward from the returned position.
 *
 * <p>Thread-safety: all methods are {@code synchronized} on the index (short critical sections), so readers can look up
 * while the single appender adds entries.
 */
final class OffsetIndex {
    static final int ENTRY_SIZE = 8;

    private final long baseOffset;
    private final int maxEntries;
    private int[] relOffsets = new int[16];
    private int[] positions = new int[16];
    private int size;

    OffsetIndex(long baseOffset, int maxIndexBytes) {
        this.baseOffset = baseOffset;
        this.maxEntries = Math.max(1, maxIndexBytes / ENTRY_SIZE);
    }

    synchronized boolean isFull() {
        return size >= maxEntries;
    }

    synchronized int entries() {
        return size;
    }

    /** Adds an entry if there is room and it is beyond the last one; otherwise ignores it (the index is sparse). */
    synchronized void append(long offset, int position) {
        long rel = offset - baseOffset;
        if (size >= maxEntries || rel < 0 || rel > Integer.MAX_VALUE) return;
        if (size > 0 && (rel <= relOffsets[size - 1] || position <= positions[size - 1])) return;
        if (size == relOffsets.length) {
            int n = Math.min(maxEntries, size * 2);
            relOffsets = Arrays.copyOf(relOffsets, n);
            positions = Arrays.copyOf(positions, n);
        }
        relOffsets[size] = (int) rel;
        positions[size] = position;
        size++;
    }

    /** File position of the last indexed batch starting at or before {@code offset}; 0 when there is none. */
    synchronized int lookup(long offset) {
        long rel = offset - baseOffset;
        if (rel < 0) return 0;
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (relOffsets[mid] <= rel) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : positions[found];
    }

    /** The largest indexed batch start position that is {@code <= position}; 0 when there is none. */
    synchronized int floorPosition(int position) {
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (positions[mid] <= position) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : positions[found];
    }

    /** Position of the last entry, or 0 when empty. */
    synchronized int lastPosition() {
        return size == 0 ? 0 : positions[size - 1];
    }

    /** Removes entries for offsets {@code >= offset}. */
    synchronized void truncateTo(long offset) {
        long rel = offset - baseOffset;
        while (size > 0 && relOffsets[size - 1] >= rel) size--;
    }

    synchronized void clear() {
        size = 0;
    }

    synchronized void writeTo(Path file, boolean fsync) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size * ENTRY_SIZE);
        for (int i = 0; i < size; i++) buf.putInt(relOffsets[i]).putInt(positions[i]);
        buf.flip();
        StorageFiles.writeAtomically(file, buf, fsync);
    }

    /**
     * Loads an index file, or returns null when it is missing or inconsistent with a log of {@code logSize} bytes
     * (bad length, entries not strictly ascending, position beyond the log) so the caller rebuilds it.
     */
    static OffsetIndex load(Path file, long baseOffset, int maxIndexBytes, long logSize) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length % ENTRY_SIZE != 0) return null;
        OffsetIndex idx = new OffsetIndex(baseOffset, Math.max(maxIndexBytes, bytes.length));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            int rel = b.getInt();
            int pos = b.getInt();
            if (rel < 0 || pos < 0 || pos + BatchHeader.HEADER_SIZE > logSize) return null;
            int before = idx.size;
            idx.append(baseOffset + rel, pos);
            if (idx.size == before) return null;
        }
        return idx;
    }
}
