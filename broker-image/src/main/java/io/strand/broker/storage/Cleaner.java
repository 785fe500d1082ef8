package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One compaction pass over one log, Kafka's two-pass algorithm:
 * <ol>
 *   <li>Build an {@link OffsetMap} key → latest offset over the dirty range: from the cleaner checkpoint to the first
 *       uncleanable offset (the active segment, or the first segment younger than {@code minCompactionLagMs}).</li>
 *   <li>Rewrite every inactive segment below the end of the map, in groups of consecutive segments that fit in one
 *       segment together, keeping a record when its key has no later offset in the map and it is not a tombstone past
 *       its batch's delete horizon. Each group goes to a {@code .cleaned} file that {@link PartitionLog#swapCleaned}
 *       swaps in. Offsets never change; the log gets gaps.</li>
 * </ol>
 * Reads of old segments and writes of the cleaned file happen without the log lock: inactive segments are immutable
 * except for truncation and removal, which {@link PartitionLog#swapCleaned} detects. Not thread-safe: each cleaner
 * thread owns one instance (and its offset map).
 */
final class Cleaner {
    /** Outcome of a pass: the offsets covered and the size change. */
    record Result(long firstDirtyOffset, long cleanedUpTo, long bytesBefore, long bytesAfter, int segmentsBefore,
                  int segmentsAfter) {
    }

    /** The cleanable part of a log at one moment. */
    record Range(long firstDirty, long firstUncleanable, long cleanBytes, long dirtyBytes, long oldestDirtyMs) {
        double dirtyRatio() {
            long total = cleanBytes + dirtyBytes;
            return total == 0 ? 0 : (double) dirtyBytes / total;
        }
    }

    /** Thrown inside a pass when the log was unregistered or the cleaner is stopping. */
    static final class AbortedException extends RuntimeException {
        AbortedException() {
            super("cleaning aborted", null, false, false);
        }
    }

    private final RecordCodec codec;
    private final long offsetMapBytes;
    private OffsetMap map; // allocated at the first pass: a broker without compacted topics never pays for it
    private ByteBuffer readBuffer;

    Cleaner(RecordCodec codec, long offsetMapBytes, int ioBufferBytes) {
        this.codec = codec;
        this.offsetMapBytes = offsetMapBytes;
        this.readBuffer = ByteBuffer.allocate(Math.max(ioBufferBytes, BatchHeader.HEADER_SIZE));
    }

    /** Where the dirty part of the log starts and ends, and how many bytes are clean and dirty. */
    static Range range(PartitionLog.CleaningView view, LogConfig cfg, long nowMs) {
        LogSegment active = view.active();
        long firstDirty = Math.max(view.cleanerCheckpoint(), view.logStartOffset());
        if (firstDirty > active.nextOffset()) firstDirty = view.logStartOffset(); // stale checkpoint
        long firstUncleanable = active.baseOffset();
        List<LogSegment> segments = view.segments();
        if (cfg.minCompactionLagMs() > 0) {
            for (LogSegment s : segments) {
                if (s == active || s.baseOffset() >= firstUncleanable) break;
                if (s.nextOffset() > firstDirty && s.maxTimestamp() > nowMs - cfg.minCompactionLagMs()) {
                    firstUncleanable = s.baseOffset();
                    break;
                }
            }
        }
        long clean = 0, dirty = 0, oldestDirty = Long.MAX_VALUE;
        for (LogSegment s : segments) {
            if (s == active || s.baseOffset() >= firstUncleanable) break;
            if (s.nextOffset() <= firstDirty) {
                clean += s.size();
            } else {
                dirty += s.size();
                oldestDirty = Math.min(oldestDirty, s.rollBaseMs());
            }
        }
        return new Range(firstDirty, firstUncleanable, clean, dirty, oldestDirty);
    }

    /**
     * Cleans {@code log} once if it has dirty data. Returns null when there was nothing to do or the log changed under
     * the pass (then nothing is swapped in that was not complete, and the next pass starts over).
     */
    Result clean(PartitionLog log, long nowMs, BooleanSupplier aborted) throws IOException {
        PartitionLog.CleaningView view = log.cleaningView();
        LogConfig cfg = log.config();
        Range range = range(view, cfg, nowMs);
        if (range.dirtyBytes() == 0) return null;
        long mapEnd = buildOffsetMap(view.segments(), range, aborted);
        if (mapEnd <= range.firstDirty()) {
            throw new IllegalStateException("the offset map (" + map.capacity() + " entries) cannot hold one batch of "
                    + log.dir() + " at offset " + range.firstDirty() + "; raise the cleaner's dedupe buffer");
        }
        List<LogSegment> toClean = new ArrayList<>();
        for (LogSegment s : view.segments()) {
            if (s == view.active() || s.baseOffset() >= mapEnd) break;
            toClean.add(s);
        }
        long horizon = nowMs + cfg.deleteRetentionMs() < nowMs ? Long.MAX_VALUE : nowMs + cfg.deleteRetentionMs();
        RecordCodec.RecordFilter filter = new Filter(mapEnd, nowMs, view.producerLastOffsets());
        long before = 0, after = 0;
        int groups = 0;
        for (List<LogSegment> group : group(toClean, cfg)) {
            LogSegment cleaned = LogSegment.createCleaned(log.dir(), group.get(0).baseOffset(), cfg);
            boolean swapped = false;
            try {
                for (LogSegment s : group) {
                    before += s.size();
                    rewrite(s, cleaned, filter, horizon, group.get(0).rollBaseMs(), aborted);
                }
                cleaned.flushLog();
                after += cleaned.size();
                swapped = log.swapCleaned(group, cleaned, view.truncations());
            } finally {
                if (!swapped) {
                    cleaned.close();
                    StorageFiles.deleteIfExists(LogSegment.cleanedFile(log.dir(), cleaned.baseOffset()));
                }
            }
            if (!swapped) return null;
            groups++;
        }
        log.updateCleanerCheckpoint(mapEnd);
        return new Result(range.firstDirty(), mapEnd, before, after, toClean.size(), groups);
    }

    /** Pass 1. Returns the offset up to which the map covers the dirty range (less than asked when it filled up). */
    private long buildOffsetMap(List<LogSegment> segments, Range range, BooleanSupplier aborted) throws IOException {
        if (map == null) map = new OffsetMap(offsetMapBytes);
        map.clear();
        long firstDirty = range.firstDirty();
        RecordCodec.RecordVisitor visitor = (offset, key, tombstone, timestamp) -> {
            if (offset >= firstDirty && key != null) map.put(key, offset);
        };
        for (LogSegment s : segments) {
            if (s.baseOffset() >= range.firstUncleanable()) break;
            if (s.nextOffset() <= firstDirty) continue;
            long[] stop = {-1};
            forEachBatch(s, aborted, (buf, h) -> {
                if (h.lastOffset() < firstDirty || h.isControl()) return true;
                if (map.size() + (long) h.recordCount() > map.capacity()) {
                    stop[0] = h.baseOffset();
                    return false;
                }
                codec.forEachRecord(buf, visitor);
                return true;
            });
            if (stop[0] >= 0) return stop[0];
        }
        return range.firstUncleanable();
    }

    /** Pass 2 for one source segment: appends what survives of it to {@code cleaned}. */
    private void rewrite(LogSegment source, LogSegment cleaned, RecordCodec.RecordFilter filter, long horizon, long rollBaseMs,
                         BooleanSupplier aborted) throws IOException {
        List<ByteBuffer> out = new ArrayList<>();
        int[] outBytes = {0};
        forEachBatch(source, aborted, (buf, h) -> {
            ByteBuffer kept = h.isControl() ? copy(buf) : codec.filter(buf, filter, horizon);
            if (kept.hasRemaining()) {
                out.add(kept);
                outBytes[0] += kept.remaining();
            }
            if (outBytes[0] >= readBuffer.capacity()) flush(cleaned, out, outBytes, rollBaseMs);
            return true;
        });
        flush(cleaned, out, outBytes, rollBaseMs);
    }

    private static void flush(LogSegment cleaned, List<ByteBuffer> out, int[] outBytes, long rollBaseMs) throws IOException {
        if (out.isEmpty()) return;
        ByteBuffer all = ByteBuffer.allocate(outBytes[0]);
        List<BatchHeader> headers = new ArrayList<>();
        for (ByteBuffer b : out) {
            headers.add(BatchHeader.parse(b, b.position()));
            all.put(b.duplicate());
        }
        all.flip();
        cleaned.append(all, headers, rollBaseMs); // the cleaned segment is this thread's until it is swapped in
        out.clear();
        outBytes[0] = 0;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    @FunctionalInterface
    private interface BatchConsumer {
        /** Gets one batch (position..limit); returns false to stop. */
        boolean accept(ByteBuffer batch, BatchHeader header) throws IOException;
    }

    /** Reads the committed batches of a segment in chunks of the read buffer's size and hands them out one by one. */
    private void forEachBatch(LogSegment s, BooleanSupplier aborted, BatchConsumer consumer) throws IOException {
        int limit = s.size();
        long pos = 0;
        while (pos < limit) {
            if (aborted.getAsBoolean()) throw new AbortedException();
            ByteBuffer buf = readBuffer;
            buf.clear().limit((int) Math.min(buf.capacity(), limit - pos));
            BatchHeader.readFully(s.channel(), buf, pos);
            int n = buf.limit(), at = 0;
            while (n - at >= BatchHeader.HEADER_SIZE) {
                BatchHeader h = BatchHeader.parse(buf, at);
                if (h.sizeInBytes() < BatchHeader.HEADER_SIZE) {
                    throw new CorruptBatchException("batch length " + h.batchLength() + " at " + (pos + at) + " of " + s.baseOffset());
                }
                if (at + h.sizeInBytes() > n) break;
                if (!consumer.accept(buf.duplicate().position(at).limit(at + h.sizeInBytes()).slice(), h)) return;
                at += h.sizeInBytes();
            }
            if (at == 0) { // a batch larger than the buffer: grow it to fit
                BatchHeader h = BatchHeader.read(s.channel(), pos, limit, ByteBuffer.allocate(BatchHeader.HEADER_SIZE));
                if (h == null) throw new CorruptBatchException("truncated batch at " + pos + " of segment " + s.baseOffset());
                readBuffer = ByteBuffer.allocate(h.sizeInBytes());
                continue;
            }
            pos += at;
        }
    }

    /** Consecutive segments whose combined size and offset span fit into one segment. */
    static List<List<LogSegment>> group(List<LogSegment> segments, LogConfig cfg) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        for (LogSegment s : segments) {
            boolean fits = !current.isEmpty() && bytes + s.size() <= cfg.segmentBytes()
                    && s.nextOffset() - 1 - current.get(0).baseOffset() <= Integer.MAX_VALUE;
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(s);
            bytes += s.size();
        }
        if (!current.isEmpty()) groups.add(current);
        return groups;
    }

    /** Kafka's retention rules for one pass. */
    private final class Filter implements RecordCodec.RecordFilter {
        private final long mapEnd;
        private final long nowMs;
        private final Map<Long, Long> producerLastOffsets;

        Filter(long mapEnd, long nowMs, Map<Long, Long> producerLastOffsets) {
            this.mapEnd = mapEnd;
            this.nowMs = nowMs;
            this.producerLastOffsets = producerLastOffsets;
        }

        @Override
        public boolean retainRecord(long offset, ByteBuffer key, boolean tombstone, long batchDeleteHorizonMs) {
            // Beyond the map: not deduplicated in this pass. Keyless (only possible if the topic became compacted
            // after such records were written, as produce rejects them): nothing supersedes them, so they stay.
            if (offset >= mapEnd || key == null) return true;
            if (map.get(key) > offset) return false;
            return !(tombstone && batchDeleteHorizonMs >= 0 && nowMs >= batchDeleteHorizonMs);
        }

        @Override
        public boolean retainEmptyBatch(long producerId, long lastOffset) {
            Long last = producerId < 0 ? null : producerLastOffsets.get(producerId);
            return last != null && last == lastOffset;
        }
    }
}
