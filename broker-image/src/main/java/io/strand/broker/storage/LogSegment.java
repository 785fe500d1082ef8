package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One segment of a partition log: the {@code %020d.log} file holding concatenated v2 batches whose offsets start at
 * {@link #baseOffset()}, plus its in-memory {@link OffsetIndex} and {@link TimeIndex} (persisted on roll/close).
 *
 * <p>Thread-safety: mutators ({@link #append}, {@link #truncateTo}, {@link #recover}, {@link #onBecomeInactive},
 * {@link #renameToDeleted}) are called only by the owning {@link PartitionLog} under its lock. Readers may call the
 * lookup methods concurrently without a lock: the committed size and next offset are volatile and are published only
 * after the bytes are written and indexed, so a reader bounded by {@link #size()} never sees a partial batch.
 */
final class LogSegment {
    /** A batch located in the segment file. */
    record BatchPos(int position, BatchHeader header) {
    }

    private record MaxTimestamp(long timestamp, long offset) {
    }

    private final Path dir;
    private final long baseOffset;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private volatile int size;
    private volatile long nextOffset;
    private volatile MaxTimestamp maxTimestamp = new MaxTimestamp(-1, -1);
    private long rollBaseMs;
    private int bytesSinceLastIndexEntry;
    private boolean indexesDirty;
    /** Bytes cut off by recovery during {@link #open}; 0 when the file was intact. */
    long truncatedBytes;

    private LogSegment(Path dir, long baseOffset, FileChannel channel, OffsetIndex offsetIndex, TimeIndex timeIndex,
                       int indexIntervalBytes, long rollBaseMs) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.rollBaseMs = rollBaseMs;
        this.nextOffset = baseOffset;
    }

    /** Creates a new empty segment (truncating any stale file with the same name). */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.LOG_SUFFIX)),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        StorageFiles.deleteIfExists(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.INDEX_SUFFIX)));
        StorageFiles.deleteIfExists(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.TIME_INDEX_SUFFIX)));
        LogSegment s = new LogSegment(dir, baseOffset, ch, new OffsetIndex(baseOffset, config.segmentIndexBytes()),
                new TimeIndex(baseOffset, config.segmentIndexBytes()), config.indexIntervalBytes(), nowMs);
        s.indexesDirty = true;
        return s;
    }

    /**
     * Creates the empty output segment of a cleaning, in {@code %020d.log.cleaned}. Its index files are written (under
     * the final names) only after {@link PartitionLog} swapped it in; until then the indexes live on the heap.
     */
    static LogSegment createCleaned(Path dir, long baseOffset, LogConfig config) throws IOException {
        FileChannel ch = FileChannel.open(cleanedFile(dir, baseOffset), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        LogSegment s = new LogSegment(dir, baseOffset, ch, new OffsetIndex(baseOffset, config.segmentIndexBytes()),
                new TimeIndex(baseOffset, config.segmentIndexBytes()), config.indexIntervalBytes(), 0);
        s.indexesDirty = true;
        return s;
    }

    static Path cleanedFile(Path dir, long baseOffset) {
        return dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.LOG_SUFFIX) + StorageFiles.CLEANED_SUFFIX);
    }

    /**
     * Opens an existing segment. With {@code trustIndexes} the index files are loaded and only the tail after the last
     * index entry is scanned (headers only); missing or inconsistent index files, or {@code trustIndexes == false},
     * lead to a full {@link #recover()} that validates every batch and truncates at the first invalid one.
     *
     * @return the segment; {@link #truncatedBytes} tells whether recovery cut the file
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, boolean trustIndexes, long nowMs) throws IOException {
        Path logFile = dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.LOG_SUFFIX));
        FileChannel ch = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long fileSize = ch.size();
        if (fileSize > Integer.MAX_VALUE) {
            ch.close();
            throw new IOException("segment file larger than 2 GiB: " + logFile);
        }
        OffsetIndex oi = null;
        TimeIndex ti = null;
        if (trustIndexes) {
            oi = OffsetIndex.load(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.INDEX_SUFFIX)), baseOffset,
                    config.segmentIndexBytes(), fileSize);
            ti = TimeIndex.load(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.TIME_INDEX_SUFFIX)), baseOffset,
                    config.segmentIndexBytes());
            if (ti != null && fileSize > 0 && ti.entries() == 0) ti = null; // a persisted index always has a final entry
        }
        boolean rebuild = oi == null || ti == null;
        if (rebuild) {
            oi = new OffsetIndex(baseOffset, config.segmentIndexBytes());
            ti = new TimeIndex(baseOffset, config.segmentIndexBytes());
        }
        LogSegment s = new LogSegment(dir, baseOffset, ch, oi, ti, config.indexIntervalBytes(), nowMs);
        try {
            s.size = (int) fileSize;
            if (rebuild || !s.loadTail()) s.recover();
            s.truncatedBytes = fileSize - s.size;
            if (s.size > 0) {
                BatchHeader first = BatchHeader.read(ch, 0, s.size, ByteBuffer.allocate(BatchHeader.HEADER_SIZE));
                if (first != null && first.maxTimestamp() >= 0) s.rollBaseMs = first.maxTimestamp();
            }
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Computes next offset and max timestamp from the trusted indexes plus a header scan of the tail. Returns false
     * when the tail is not well-formed (then the caller runs a full recovery).
     */
    private boolean loadTail() throws IOException {
        long tsOffset = timeIndex.lastOffset();
        int start = offsetIndex.lastPosition();
        if (tsOffset >= 0) start = Math.min(start, offsetIndex.lookup(tsOffset));
        long maxTs = timeIndex.lastTimestamp() == Long.MIN_VALUE ? -1 : timeIndex.lastTimestamp();
        long maxTsOffset = tsOffset;
        long next = baseOffset;
        ByteBuffer scratch = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        int pos = start;
        int limit = size;
        while (pos < limit) {
            BatchHeader h = BatchHeader.read(channel, pos, limit, scratch);
            if (h == null || h.magic() != BatchHeader.CURRENT_MAGIC || h.batchLength() < BatchHeader.HEADER_SIZE - 12
                    || (long) pos + h.sizeInBytes() > limit || h.baseOffset() < next) {
                return false;
            }
            next = h.lastOffset() + 1;
            if (h.maxTimestamp() > maxTs) {
                maxTs = h.maxTimestamp();
                maxTsOffset = h.baseOffset();
            }
            pos += h.sizeInBytes();
        }
        if (start > 0 && next == baseOffset) return false;
        this.nextOffset = next;
        this.maxTimestamp = new MaxTimestamp(maxTs, maxTsOffset);
        this.bytesSinceLastIndexEntry = size - offsetIndex.lastPosition();
        return true;
    }

    /**
     * Validates every batch (length, magic, CRC, ascending offsets), rebuilds both indexes and truncates the file at the
     * first invalid or torn batch. Returns the number of bytes removed.
     */
    long recover() throws IOException {
        offsetIndex.clear();
        timeIndex.clear();
        bytesSinceLastIndexEntry = 0;
        nextOffset = baseOffset;
        maxTimestamp = new MaxTimestamp(-1, -1);
        long fileSize = channel.size();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int pos = 0;
        while (pos < fileSize) {
            BatchHeader h = BatchHeader.read(channel, pos, fileSize, buf);
            if (h == null || h.magic() != BatchHeader.CURRENT_MAGIC || h.batchLength() < BatchHeader.HEADER_SIZE - 12
                    || pos + (long) h.sizeInBytes() > fileSize || h.baseOffset() < nextOffset || h.lastOffsetDelta() < 0) {
                break;
            }
            int batchSize = h.sizeInBytes();
            if (buf.capacity() < batchSize) buf = ByteBuffer.allocate(batchSize);
            buf.clear().limit(batchSize);
            BatchHeader.readFully(channel, buf, pos);
            if (BatchHeader.computeCrc(buf, 0, batchSize) != h.crc()) break;
            indexBatch(h, pos);
            pos += batchSize;
            nextOffset = h.lastOffset() + 1;
        }
        long removed = fileSize - pos;
        if (removed > 0) channel.truncate(pos);
        size = pos;
        indexesDirty = true;
        return removed;
    }

    private void indexBatch(BatchHeader h, int position) {
        MaxTimestamp m = maxTimestamp;
        if (h.maxTimestamp() > m.timestamp) {
            m = new MaxTimestamp(h.maxTimestamp(), h.baseOffset());
            maxTimestamp = m;
        }
        if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
            offsetIndex.append(h.baseOffset(), position);
            timeIndex.maybeAppend(m.timestamp, m.offset, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += h.sizeInBytes();
    }

    /**
     * Appends already validated and stamped batches ({@code buf} from position to limit; {@code headers} in order) at
     * the end of the file, indexes them, then publishes the new size and next offset.
     */
    void append(ByteBuffer buf, Iterable<BatchHeader> headers, long nowMs) throws IOException {
        int start = size;
        ByteBuffer src = buf.duplicate();
        long p = start;
        try {
            while (src.hasRemaining()) p += channel.write(src, p);
        } catch (IOException e) {
            try {
                channel.truncate(start);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (start == 0) rollBaseMs = nowMs;
        size = (int) p; // publish the bytes first, so index entries and max timestamp never point beyond them ...
        int pos = start;
        long next = nextOffset;
        for (BatchHeader h : headers) {
            indexBatch(h, pos);
            pos += h.sizeInBytes();
            next = h.lastOffset() + 1;
        }
        indexesDirty = true;
        nextOffset = next;  // ... then the offsets they hold
    }

    /**
     * Builds the zero-copy slice for {@link PartitionLog#read} starting at batch {@code first}, bounded by {@code limit}
     * (where the log holds {@code limitOffset}), {@code maxBytes} (ending on a batch boundary when one fits) and the
     * batch containing {@code maxOffsetExclusive}. The slice's next offset comes from headers these scans read anyway,
     * so counting the offsets a fetch delivers costs no extra I/O.
     */
    LogSlice slice(BatchPos first, int limit, long limitOffset, int maxBytes, boolean minOneBatch, long maxOffsetExclusive, long lso, long leo)
            throws IOException {
        int start = first.position();
        int end = limit;
        long endOffset = limitOffset;
        if (maxOffsetExclusive <= first.header().lastOffset()) return LogSlice.empty(lso, leo);
        if (maxOffsetExclusive < leo) {
            BatchPos stop = scanForOffset(maxOffsetExclusive, Math.max(start, offsetIndex.lookup(maxOffsetExclusive)), limit);
            if (stop != null) {
                end = stop.position();
                endOffset = stop.header().baseOffset();
            }
        }
        int available = end - start;
        int length;
        long nextOffset = endOffset;
        if (available <= Math.max(maxBytes, 0)) {
            length = available;
        } else {
            Boundary boundary = batchBoundaryAtOrBefore(start, start + Math.max(maxBytes, 0), end);
            if (boundary.position() > start) {
                length = boundary.position() - start;
                nextOffset = boundary.nextOffset();
            } else {
                length = minOneBatch ? Math.min(first.header().sizeInBytes(), available) : 0;
                nextOffset = first.header().lastOffset() + 1;
            }
        }
        if (length <= 0) return LogSlice.empty(lso, leo);
        return new LogSlice(channel, start, length, lso, leo, nextOffset);
    }

    /** A batch boundary and the offset of the batch that starts there (-1 if unknown). */
    record Boundary(int position, long nextOffset) {
    }

    /** First batch at or after {@code startPos} (a batch start) whose lastOffset >= offset, or null. */
    BatchPos scanForOffset(long offset, int startPos, int limit) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        int pos = startPos;
        while (pos < limit) {
            BatchHeader h = BatchHeader.read(channel, pos, limit, scratch);
            if (h == null) return null;
            if (h.lastOffset() >= offset) return new BatchPos(pos, h);
            pos += h.sizeInBytes();
        }
        return null;
    }

    /** Visits the headers of all committed batches whose base offset is >= {@code fromOffset}, reading headers only. */
    void forEachHeader(long fromOffset, java.util.function.Consumer<BatchHeader> visitor) throws IOException {
        int limit = size;
        ByteBuffer scratch = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        int pos = offsetIndex.lookup(fromOffset);
        while (pos < limit) {
            BatchHeader h = BatchHeader.read(channel, pos, limit, scratch);
            if (h == null) return;
            if (h.baseOffset() >= fromOffset) visitor.accept(h);
            pos += h.sizeInBytes();
        }
    }

    /** The batch containing {@code offset} (or the first batch after it), within the first {@code limit} bytes. */
    BatchPos translateOffset(long offset, int limit) throws IOException {
        return scanForOffset(offset, offsetIndex.lookup(offset), limit);
    }

    /** The last batch boundary in [start, maxEnd] (with {@code maxEnd < limit}), scanning from the index entry before maxEnd. */
    Boundary batchBoundaryAtOrBefore(int start, int maxEnd, int limit) throws IOException {
        int pos = Math.max(start, offsetIndex.floorPosition(maxEnd));
        ByteBuffer scratch = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        long next = -1;
        while (pos < limit) {
            BatchHeader h = BatchHeader.read(channel, pos, limit, scratch);
            if (h == null) break;
            if (pos + (long) h.sizeInBytes() > maxEnd) {
                next = h.baseOffset(); // the batch that does not fit starts where the slice ends
                break;
            }
            pos += h.sizeInBytes();
            next = h.lastOffset() + 1;
        }
        return new Boundary(pos, next);
    }

    /**
     * First batch whose maxTimestamp >= target and lastOffset >= minOffset, scanning from the time index hint; null if
     * none in the first {@code limit} bytes.
     */
    BatchPos findByTimestamp(long target, long minOffset, int limit) throws IOException {
        int pos = Math.max(offsetIndex.lookup(timeIndex.lookup(target)), offsetIndex.lookup(minOffset));
        ByteBuffer scratch = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        while (pos < limit) {
            BatchHeader h = BatchHeader.read(channel, pos, limit, scratch);
            if (h == null) return null;
            if (h.maxTimestamp() >= target && h.lastOffset() >= minOffset) return new BatchPos(pos, h);
            pos += h.sizeInBytes();
        }
        return null;
    }

    /** The first batch carrying the segment's largest timestamp, or null if the segment is empty. */
    BatchPos maxTimestampBatch(int limit) throws IOException {
        MaxTimestamp m = maxTimestamp;
        if (m.offset < 0) return limit > 0 ? scanForOffset(baseOffset, 0, limit) : null;
        BatchPos bp = translateOffset(m.offset, limit);
        return bp;
    }

    /**
     * Removes the batch containing {@code offset} and everything after it. Returns the new next offset.
     */
    long truncateTo(long offset) throws IOException {
        int limit = size;
        BatchPos bp = translateOffset(offset, limit);
        if (bp == null) return nextOffset;
        channel.truncate(bp.position());
        size = bp.position();
        offsetIndex.truncateTo(bp.header().baseOffset());
        timeIndex.truncateTo(bp.header().baseOffset());
        if (!loadTail()) recover();
        indexesDirty = true;
        return nextOffset;
    }

    /** Adds the final time index entry and writes both index files (called on roll and close). */
    void onBecomeInactive(boolean fsync) throws IOException {
        MaxTimestamp m = maxTimestamp;
        if (m.offset >= 0) timeIndex.maybeAppend(m.timestamp, m.offset, true);
        writeIndexes(fsync);
    }

    void writeIndexes(boolean fsync) throws IOException {
        offsetIndex.writeTo(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.INDEX_SUFFIX)), fsync);
        timeIndex.writeTo(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.TIME_INDEX_SUFFIX)), fsync);
        indexesDirty = false;
    }

    boolean indexesDirty() {
        return indexesDirty;
    }

    void flushLog() throws IOException {
        channel.force(true);
    }

    /** Renames the files to {@code *.deleted}; the channel stays open and readable until {@link #closeAndDelete}. */
    void renameToDeleted() throws IOException {
        for (String suffix : new String[] {StorageFiles.LOG_SUFFIX, StorageFiles.INDEX_SUFFIX, StorageFiles.TIME_INDEX_SUFFIX}) {
            Path p = dir.resolve(StorageFiles.fileName(baseOffset, suffix));
            if (Files.exists(p)) {
                Files.move(p, p.resolveSibling(p.getFileName() + StorageFiles.DELETED_SUFFIX), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Closes the channel and unlinks the {@code *.deleted} files (best effort). */
    void closeAndDelete() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
        for (String suffix : new String[] {StorageFiles.LOG_SUFFIX, StorageFiles.INDEX_SUFFIX, StorageFiles.TIME_INDEX_SUFFIX}) {
            StorageFiles.deleteIfExists(dir.resolve(StorageFiles.fileName(baseOffset, suffix) + StorageFiles.DELETED_SUFFIX));
        }
    }

    void close() throws IOException {
        channel.close();
    }

    long baseOffset() {
        return baseOffset;
    }

    FileChannel channel() {
        return channel;
    }

    int size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    boolean isIndexFull() {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    long rollBaseMs() {
        return rollBaseMs;
    }

    long maxTimestamp() {
        return maxTimestamp.timestamp;
    }

    /** Largest timestamp for time retention: max batch timestamp, or the file's mtime when batches carry none. */
    long largestTimestampForRetention() throws IOException {
        long ts = maxTimestamp.timestamp;
        if (ts >= 0) return ts;
        return Files.getLastModifiedTime(dir.resolve(StorageFiles.fileName(baseOffset, StorageFiles.LOG_SUFFIX))).toMillis();
    }
}
