package io.strand.broker.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The log of one partition: a directory of segments ({@code %020d.log} + {@code .index} + {@code .timeindex}) holding
 * Kafka v2 record batches exactly as producers sent them, except that the broker stamps baseOffset and
 * partitionLeaderEpoch (and, for LogAppendTime topics, the timestamp type bit, maxTimestamp and the CRC).
 *
 * <p><b>Durability contract.</b> {@link #append} writes to the OS page cache and returns without fsync: appended data
 * survives a crash of the process (kill -9) but only data that was flushed survives a power loss or kernel crash.
 * {@link #flush()} fsyncs; {@link #maybeFlush()} does so when {@link LogConfig#flushIntervalMessages()} records or
 * {@link LogConfig#flushIntervalMs()} have accumulated since the last flush. After a flush the {@code recovery-point}
 * checkpoint records the end offset known to be on disk; at startup everything after it is validated batch by batch
 * (CRC) and a torn tail is truncated (see {@link LogLoader}). {@link #close()} writes index files, a producer-state
 * snapshot and a {@code .clean-shutdown} marker so the next open trusts them and starts in milliseconds.
 *
 * <p><b>Thread-safety.</b> Appends, roll, truncation, retention, flush and close are serialized by one lock per log.
 * {@link #read}, {@link #findBatchByTimestamp}, {@link #findMaxTimestampBatch} and the offset getters take no lock:
 * each segment publishes its committed size and next offset through volatile fields after the bytes are written and
 * indexed, and the log end offset is published last, so readers never see a half-written batch. Segments removed by
 * retention, {@link #deleteRecordsBefore} or {@link #truncateTo} are renamed to {@code *.deleted} and closed/unlinked
 * only after {@link LogConfig#fileDeleteDelayMs()}, so channels handed out in a {@link LogSlice} stay readable while the
 * network sends them. ({@link #truncateTo} shortens the segment that contains the truncation point in place.)
 *
 * <p><b>Compaction.</b> A {@link LogCleaner} rewrites inactive segments into {@code .cleaned} files without the lock
 * and then calls {@link #swapCleaned}, which takes the lock only to replace the segment objects and rename files
 * (records keep their offsets; segments may merge). Readers that already hold a replaced segment keep reading its
 * still-open channel (delayed delete); readers that look a segment up afterwards see the cleaned one. The offset up to
 * which the log is clean is kept in {@code cleaner-offset-checkpoint}.
 *
 * <p>Errors: {@link StorageException} subclasses (unchecked) reject a request; {@link IOException} means a disk failure.
 */
public final class PartitionLog implements Closeable {
    private static final int SNAPSHOTS_TO_KEEP = 2;

    private final Path dir;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState = new ProducerStateManager();
    private final LeaderEpochCache epochCache;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    /** Log end offset plus the committed end of the segment holding it, published together after each append. */
    private volatile LogEnd end;
    // guarded by lock
    private long recoveryPoint;
    private long unflushedMessages;
    private long lastFlushMs;
    private boolean rolledSinceFlush;
    private boolean closed;
    /** Bumped by every change that rewrites existing segments in place, so a concurrent cleaning can tell it is stale. */
    private long truncations;
    private volatile long cleanerCheckpoint;

    private PartitionLog(Path dir, LogConfig config, Clock clock, ScheduledExecutorService scheduler, LogLoader.Loaded loaded) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.segments = loaded.segments();
        this.logStartOffset = loaded.logStartOffset();
        LogSegment last = segments.lastEntry().getValue();
        this.end = new LogEnd(last.nextOffset(), last, last.size());
        this.lastFlushMs = clock.millis();
        this.cleanerCheckpoint = StorageFiles.readCheckpoint(dir.resolve(StorageFiles.CLEANER_CHECKPOINT), 0);
        this.epochCache = LeaderEpochCache.load(dir);
    }

    /** Opens (creating if missing) and recovers the log in {@code dir}, using the shared {@link StorageScheduler}. */
    public static PartitionLog open(Path dir, LogConfig config, Clock clock) throws IOException {
        return open(dir, config, clock, StorageScheduler.shared());
    }

    /** Like {@link #open(Path, LogConfig, Clock)} with the executor that runs delayed file deletions. */
    public static PartitionLog open(Path dir, LogConfig config, Clock clock, ScheduledExecutorService scheduler) throws IOException {
        LogLoader.Loaded loaded = LogLoader.load(dir, config, clock.millis());
        PartitionLog log = new PartitionLog(dir, config, clock, scheduler, loaded);
        log.lock.lock();
        try {
            LogSegment active = log.segments.lastEntry().getValue();
            for (LogSegment s : log.segments.values()) {
                if (loaded.recovered()) s.flushLog(); // recovered data is now known-good and on disk
                if (s != active && s.indexesDirty()) s.onBecomeInactive(true); // persist rebuilt indexes
            }
            log.recoveryPoint = log.end.offset();
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.RECOVERY_POINT), log.recoveryPoint);
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), log.logStartOffset);
            log.rebuildProducerState();
            log.loadEpochCache();
            Files.deleteIfExists(dir.resolve(StorageFiles.CLEAN_SHUTDOWN));
        } catch (IOException | RuntimeException e) {
            log.closeChannels();
            throw e;
        } finally {
            log.lock.unlock();
        }
        return log;
    }

    /**
     * Appends one or more concatenated v2 batches of one produce request. Every batch is validated before anything is
     * written; the buffer's bytes are stamped in place (a read-only buffer is copied first).
     *
     * @throws CorruptBatchException          malformed batch (magic, length, CRC, record count)
     * @throws RecordTooLargeException        a batch larger than {@link LogConfig#maxBatchBytes()}
     * @throws InvalidProducerEpochException  fenced idempotent producer
     * @throws OutOfOrderSequenceException    sequence gap, or a request mixing duplicate and new batches
     * @throws IOException                    disk failure
     */
    public AppendResult append(ByteBuffer batches, int leaderEpoch) throws IOException {
        ByteBuffer buf = batches.isReadOnly() ? copyOf(batches) : batches.duplicate();
        int start = buf.position(), limit = buf.limit();
        if (start == limit) throw new CorruptBatchException("no record batch in the request");
        LogConfig cfg = config;
        List<Integer> positions = new ArrayList<>();
        List<BatchHeader> headers = new ArrayList<>();
        for (int pos = start; pos < limit; ) {
            BatchHeader h = BatchHeader.validate(buf, pos, limit, cfg.maxBatchBytes());
            positions.add(pos);
            headers.add(h);
            pos += h.sizeInBytes();
        }
        lock.lock();
        try {
            ensureOpen();
            long now = clock.millis();
            long appendTime = cfg.logAppendTime() ? now : -1;
            long next = end.offset();
            long records = 0;
            ProducerStateManager.Batch staged = producerState.begin();
            List<BatchHeader> stamped = new ArrayList<>(headers.size());
            for (BatchHeader h : headers) {
                BatchHeader s = new BatchHeader(next, h.batchLength(), leaderEpoch, h.magic(), h.crc(),
                        cfg.logAppendTime() ? (short) (h.attributes() | BatchHeader.TIMESTAMP_TYPE_MASK) : h.attributes(),
                        h.lastOffsetDelta(), h.baseTimestamp(), cfg.logAppendTime() ? now : h.maxTimestamp(),
                        h.producerId(), h.producerEpoch(), h.baseSequence(), h.recordCount());
                ProducerStateManager.BatchMetadata dup = staged.check(s);
                if (dup != null) {
                    if (headers.size() == 1) return new AppendResult(dup.firstOffset(), dup.lastOffset(), -1, logStartOffset, true);
                    throw new OutOfOrderSequenceException("request mixes a duplicate batch of producer " + h.producerId()
                            + " with other batches");
                }
                stamped.add(s);
                records += h.recordCount();
                next = s.lastOffset() + 1;
            }
            for (int i = 0; i < stamped.size(); i++) {
                int pos = positions.get(i);
                BatchHeader.stampOffsetAndEpoch(buf, pos, stamped.get(i).baseOffset(), leaderEpoch);
                if (cfg.logAppendTime()) BatchHeader.stampLogAppendTime(buf, pos, stamped.get(i).sizeInBytes(), now);
            }
            long firstOffset = end.offset();
            epochCache.assign(leaderEpoch, firstOffset); // before the data: a crash in between is undone at open
            LogSegment seg = maybeRoll(cfg, limit - start, next - 1, now);
            seg.append(buf.duplicate().position(start).limit(limit), stamped, now);
            staged.commit();
            end = new LogEnd(next, seg, seg.size());
            unflushedMessages += records;
            return new AppendResult(firstOffset, next - 1, appendTime, logStartOffset, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends batches a follower fetched from its leader, keeping their offsets and partitionLeaderEpoch as the leader
     * stamped them. Batches are CRC-checked; batches wholly below the log end offset are skipped (already here); offsets
     * must ascend, and the first kept batch must start at or after the log end offset (a gap is allowed: compaction).
     * Producer state is updated but never enforced (the leader did that); the leader epoch cache learns new epochs.
     *
     * @return the offsets appended, or null when nothing was new
     * @throws CorruptBatchException when a batch is malformed or offsets do not line up with the log
     */
    public AppendResult appendAsFollower(ByteBuffer batches) throws IOException {
        ByteBuffer buf = batches.duplicate();
        int start = buf.position(), limit = buf.limit();
        List<BatchHeader> headers = new ArrayList<>();
        int firstKept = -1;
        lock.lock();
        try {
            ensureOpen();
            long leo = end.offset();
            long prevNext = -1;
            for (int pos = start; pos < limit; ) {
                BatchHeader h = validateReplicated(buf, pos, limit);
                if (h == null) break; // a partial batch at the end of a fetch response: fetched again next time
                if (prevNext >= 0 && h.baseOffset() < prevNext) {
                    throw new CorruptBatchException("replicated batch at offset " + h.baseOffset() + " does not follow " + (prevNext - 1));
                }
                prevNext = h.lastOffset() + 1;
                if (h.lastOffset() < leo) {
                    pos += h.sizeInBytes();
                    continue;
                }
                if (h.baseOffset() < leo) {
                    throw new CorruptBatchException("replicated batch [" + h.baseOffset() + ", " + h.lastOffset()
                            + "] straddles the log end offset " + leo);
                }
                if (firstKept < 0) firstKept = pos;
                headers.add(h);
                pos += h.sizeInBytes();
            }
            if (headers.isEmpty()) return null;
            int keptLimit = firstKept;
            for (BatchHeader h : headers) keptLimit += h.sizeInBytes();
            long now = clock.millis();
            long firstOffset = headers.get(0).baseOffset();
            long next = headers.get(headers.size() - 1).lastOffset() + 1;
            long records = 0;
            for (BatchHeader h : headers) {
                epochCache.assign(h.partitionLeaderEpoch(), h.baseOffset());
                records += h.recordCount();
            }
            LogSegment seg = maybeRoll(config, keptLimit - firstKept, next - 1, now);
            if (seg.size() == 0 && seg.baseOffset() < firstOffset && seg.nextOffset() <= firstOffset && segments.size() == 1
                    && leo == seg.baseOffset() && logStartOffset == leo) {
                // an empty log receiving data from further on (the leader's log starts later): restart it there
                retire(seg);
                seg = LogSegment.create(dir, firstOffset, config, now);
                segments.put(firstOffset, seg);
                logStartOffset = firstOffset;
                StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), firstOffset);
            }
            seg.append(buf.duplicate().position(firstKept).limit(keptLimit), headers, now);
            for (BatchHeader h : headers) producerState.replay(h);
            end = new LogEnd(next, seg, seg.size());
            unflushedMessages += records;
            return new AppendResult(firstOffset, next - 1, -1, logStartOffset, false);
        } finally {
            lock.unlock();
        }
    }

    /** Header checks and CRC of a replicated batch (empty batches left by compaction are fine); null if truncated. */
    private static BatchHeader validateReplicated(ByteBuffer buf, int pos, int limit) {
        if (limit - pos < BatchHeader.HEADER_SIZE) return null;
        BatchHeader h = BatchHeader.parse(buf, pos);
        if (h.magic() != BatchHeader.CURRENT_MAGIC) throw new CorruptBatchException("unsupported magic " + h.magic());
        if (h.batchLength() < BatchHeader.HEADER_SIZE - BatchHeader.LOG_OVERHEAD || h.lastOffsetDelta() < 0) {
            throw new CorruptBatchException("malformed replicated batch at offset " + h.baseOffset());
        }
        if ((long) pos + h.sizeInBytes() > limit) return null;
        int actual = BatchHeader.computeCrc(buf, pos, h.sizeInBytes());
        if (actual != h.crc()) {
            throw new CorruptBatchException(String.format("CRC mismatch in replicated batch at offset %d: stored %08x, computed %08x",
                    h.baseOffset(), h.crc(), actual));
        }
        return h;
    }

    /** A replica that becomes leader of {@code epoch}: the epoch starts at the current log end offset. */
    public void assignEpochStart(int epoch) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            epochCache.assign(epoch, end.offset());
        } finally {
            lock.unlock();
        }
    }

    /** The leader epoch cache of this log (epoch → start offset). */
    public LeaderEpochCache leaderEpochCache() {
        return epochCache;
    }

    /** Where {@code epoch} ends in this log (Kafka's endOffsetForEpoch): the largest known epoch <= it and its end. */
    public LeaderEpochCache.EpochEnd endOffsetForEpoch(int epoch) {
        return epochCache.endOffsetFor(epoch, end.offset());
    }

    /** The epoch of the last batch in the log (from the cache), or -1. */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Empties the log and restarts it at {@code offset} (a follower whose leader's log starts beyond ours). */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative offset " + offset);
        lock.lock();
        try {
            ensureOpen();
            truncations++;
            if (cleanerCheckpoint > offset) writeCleanerCheckpoint(offset);
            end = new LogEnd(offset, null, 0);
            for (LogSegment s : new ArrayList<>(segments.values())) retire(s);
            segments.put(offset, LogSegment.create(dir, offset, config, clock.millis()));
            logStartOffset = offset;
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), offset);
            LogSegment last = segments.lastEntry().getValue();
            end = new LogEnd(last.nextOffset(), last, last.size());
            recoveryPoint = Math.min(recoveryPoint, end.offset());
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.RECOVERY_POINT), recoveryPoint);
            epochCache.clear();
            rebuildProducerState();
        } finally {
            lock.unlock();
        }
    }

    /** Loads the epoch cache at open: rebuilt from batch headers when the checkpoint is missing, cut to the log end. */
    private void loadEpochCache() throws IOException {
        if (!epochCache.fileExists() && end.offset() > logStartOffset) {
            for (LogSegment s : segments.values()) {
                s.forEachHeader(0, h -> {
                    try {
                        epochCache.assign(h.partitionLeaderEpoch(), h.baseOffset());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        epochCache.truncateFromEnd(end.offset());
    }

    private static ByteBuffer copyOf(ByteBuffer src) {
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    private LogSegment maybeRoll(LogConfig cfg, int appendSize, long lastOffset, long now) throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        if (active.size() == 0) return active;
        if (active.size() + (long) appendSize > cfg.segmentBytes() || now - active.rollBaseMs() > cfg.effectiveRollMs()
                || active.isIndexFull() || lastOffset - active.baseOffset() > Integer.MAX_VALUE) {
            return roll(now);
        }
        return active;
    }

    /** Starts a new active segment at the log end offset (no-op when the active segment is empty). */
    private LogSegment roll(long now) throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        long base = end.offset();
        if (active.size() == 0 && active.baseOffset() == base) return active;
        active.onBecomeInactive(false);
        LogSegment seg = LogSegment.create(dir, base, config, now);
        segments.put(base, seg);
        rolledSinceFlush = true;
        writeProducerSnapshot(base);
        return seg;
    }

    /**
     * Returns a zero-copy slice of one segment starting at the batch that contains {@code fetchOffset} (or the next batch
     * when the offset falls in a gap), at most {@code maxBytes} long (ending on a batch boundary when one fits), and not
     * reaching the batch containing {@code maxOffsetExclusive}. When the first batch is larger than {@code maxBytes} it
     * is returned whole if {@code minOneBatch}, otherwise the slice is empty.
     *
     * @throws OffsetOutOfRangeException when fetchOffset is below the log start or above the log end offset
     */
    public LogSlice read(long fetchOffset, int maxBytes, boolean minOneBatch, long maxOffsetExclusive) throws IOException {
        LogEnd e = end;
        long leo = e.offset();
        long lso = logStartOffset;
        if (fetchOffset < lso || fetchOffset > leo) {
            throw new OffsetOutOfRangeException("fetch offset " + fetchOffset + " is out of range [" + lso + ", " + leo + "]");
        }
        if (fetchOffset == leo || fetchOffset >= maxOffsetExclusive) return LogSlice.empty(lso, leo);
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
        if (entry == null) entry = segments.firstEntry();
        while (entry != null && entry.getKey() < leo) {
            LogSegment seg = entry.getValue();
            int limit = seg == e.segment() ? e.position() : seg.size(); // never beyond the end offset we report
            LogSegment.BatchPos first = seg.translateOffset(fetchOffset, limit);
            if (first != null) {
                return seg.slice(first, limit, seg == e.segment() ? leo : seg.nextOffset(), maxBytes, minOneBatch, maxOffsetExclusive, lso, leo);
            }
            // Continue after this segment's data, looking up by offset rather than by the next key: if the cleaner
            // merged segments meanwhile, the records we still need now sit under an earlier key.
            fetchOffset = Math.max(fetchOffset, seg.nextOffset());
            Map.Entry<Long, LogSegment> next = segments.floorEntry(fetchOffset);
            entry = next == null || next.getValue() == seg ? segments.higherEntry(entry.getKey()) : next;
        }
        return LogSlice.empty(lso, leo);
    }

    /** The first batch (by offset) whose maxTimestamp >= target and that is not below the log start; null if none. */
    public TimestampMatch findBatchByTimestamp(long targetTimestampMs) throws IOException {
        long lso = logStartOffset;
        for (LogSegment seg : segments.values()) {
            if (seg.maxTimestamp() < targetTimestampMs || seg.nextOffset() <= lso) continue;
            LogSegment.BatchPos bp = seg.findByTimestamp(targetTimestampMs, lso, seg.size());
            if (bp != null) return match(seg, bp);
        }
        return null;
    }

    /** The first batch holding the log's largest timestamp; null when the log is empty. */
    public TimestampMatch findMaxTimestampBatch() throws IOException {
        LogSegment best = null;
        for (LogSegment seg : segments.values()) {
            if (seg.size() == 0) continue;
            if (best == null || seg.maxTimestamp() > best.maxTimestamp()) best = seg;
        }
        if (best == null) return null;
        LogSegment.BatchPos bp = best.maxTimestampBatch(best.size());
        return bp == null ? null : match(best, bp);
    }

    private static TimestampMatch match(LogSegment seg, LogSegment.BatchPos bp) {
        BatchHeader h = bp.header();
        return new TimestampMatch(h.baseOffset(), h.lastOffset(), h.maxTimestamp(), seg.channel(), bp.position(), h.sizeInBytes());
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return end.offset();
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) total += s.size();
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /**
     * Rolls a non-empty active segment that is older than {@link LogConfig#effectiveRollMs()}. Appends roll by time
     * too, but only when data arrives; the cleaner calls this so that a quiet compacted log still becomes cleanable.
     *
     * @return whether a new segment was started
     */
    public boolean rollIfExpired() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            LogSegment active = segments.lastEntry().getValue();
            long now = clock.millis();
            if (active.size() == 0 || now - active.rollBaseMs() <= config.effectiveRollMs()) return false;
            roll(now);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Applies new settings to future appends, rolls and retention runs (existing index capacities are kept). */
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    /**
     * Retention: removes segments wholly below the log start offset, then (oldest first) segments whose largest
     * timestamp is older than {@code now - retentionMs}, then oldest segments while the log exceeds
     * {@code retentionBytes}. The log always keeps an active segment: an expired non-empty active segment is rolled
     * first. Advances the log start offset. Returns the number of segments removed.
     */
    public int deleteExpiredSegments() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            LogConfig cfg = config;
            long now = clock.millis();
            List<LogSegment> doomed = new ArrayList<>();
            List<LogSegment> all = new ArrayList<>(segments.values());
            int i = 0;
            while (i < all.size() - 1 && all.get(i + 1).baseOffset() <= logStartOffset) doomed.add(all.get(i++));
            if (cfg.retentionMs() >= 0) {
                for (; i < all.size(); i++) {
                    LogSegment seg = all.get(i);
                    if (seg.size() == 0 || now - seg.largestTimestampForRetention() <= cfg.retentionMs()) break;
                    if (i == all.size() - 1) all.add(roll(now));
                    doomed.add(seg);
                }
            }
            if (cfg.retentionBytes() >= 0) {
                long excess = sizeInBytes() - cfg.retentionBytes();
                for (LogSegment d : doomed) excess -= d.size();
                for (; i < all.size() - 1 && excess - all.get(i).size() >= 0; i++) {
                    excess -= all.get(i).size();
                    doomed.add(all.get(i));
                }
            }
            removeSegments(doomed);
            return doomed.size();
        } finally {
            lock.unlock();
        }
    }

    /** DeleteRecords: advances the log start offset to {@code offset} and removes segments wholly below it. */
    public void deleteRecordsBefore(long offset) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (offset > end.offset() || offset < 0) {
                throw new OffsetOutOfRangeException("cannot delete records before " + offset + ": log end offset is " + end.offset());
            }
            if (offset <= logStartOffset) return;
            logStartOffset = offset;
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), offset);
            epochCache.truncateFromStart(offset);
            List<LogSegment> doomed = new ArrayList<>();
            List<LogSegment> all = new ArrayList<>(segments.values());
            for (int i = 0; i < all.size() - 1 && all.get(i + 1).baseOffset() <= offset; i++) doomed.add(all.get(i));
            removeSegments(doomed);
        } finally {
            lock.unlock();
        }
    }

    /** Publishes the new log start offset, then unlinks the segments from the log and schedules their file deletion. */
    private void removeSegments(List<LogSegment> doomed) throws IOException {
        if (doomed.isEmpty()) return;
        long newStart = Long.MAX_VALUE;
        for (LogSegment s : segments.values()) {
            if (!doomed.contains(s)) {
                newStart = s.baseOffset();
                break;
            }
        }
        if (newStart > logStartOffset) {
            logStartOffset = Math.min(newStart, end.offset());
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), logStartOffset);
            epochCache.truncateFromStart(logStartOffset);
        }
        for (LogSegment s : doomed) retire(s);
    }

    /** Unlinks a segment from the log, renames its files to *.deleted and schedules closing + unlinking them. */
    private void retire(LogSegment s) throws IOException {
        segments.remove(s.baseOffset());
        s.renameToDeleted();
        scheduler.schedule(s::closeAndDelete, config.fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * Removes all data at and after {@code offset}. A batch containing {@code offset} is removed whole, so the new log
     * end offset may be below {@code offset}. Truncating below the log start offset empties the log and restarts it
     * at {@code offset}.
     */
    public void truncateTo(long offset) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative truncation offset " + offset);
        lock.lock();
        try {
            ensureOpen();
            if (offset >= end.offset()) {
                // Nothing to cut, but an epoch may start exactly at the end: this replica led the partition in that
                // epoch and appended nothing before another leader took over. Left in place, it is the latest epoch a
                // follower reports, which the new leader never had, and every fetch diverges again (Kafka's
                // UnifiedLog.truncateTo drops it for the same reason).
                epochCache.truncateFromEnd(end.offset());
                return;
            }
            truncations++;
            if (cleanerCheckpoint > offset) writeCleanerCheckpoint(Math.min(offset, cleanerCheckpoint));
            end = new LogEnd(offset, null, 0); // readers stop early while we cut
            List<LogSegment> doomed = new ArrayList<>(segments.tailMap(offset, true).values());
            boolean restart = offset < logStartOffset || doomed.size() == segments.size();
            if (restart) {
                for (LogSegment s : new ArrayList<>(segments.values())) retire(s);
                segments.put(offset, LogSegment.create(dir, offset, config, clock.millis()));
                logStartOffset = offset;
                StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), offset);
            } else {
                for (LogSegment s : doomed) retire(s);
                segments.lastEntry().getValue().truncateTo(offset);
            }
            LogSegment last = segments.lastEntry().getValue();
            end = new LogEnd(last.nextOffset(), last, last.size());
            recoveryPoint = Math.min(recoveryPoint, end.offset());
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.RECOVERY_POINT), recoveryPoint);
            if (restart) epochCache.clear();
            else epochCache.truncateFromEnd(end.offset());
            rebuildProducerState();
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs every segment holding unflushed data (and its index files), then persists the recovery point. */
    public void flush() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            flushLocked();
        } finally {
            lock.unlock();
        }
    }

    private void flushLocked() throws IOException {
        long leo = end.offset();
        LogSegment active = segments.lastEntry().getValue();
        for (LogSegment s : segments.values()) {
            if (s != active && s.nextOffset() <= recoveryPoint) continue;
            s.flushLog();
            if (s != active) s.writeIndexes(true);
        }
        if (rolledSinceFlush) {
            fsyncDirectory();
            rolledSinceFlush = false;
        }
        if (leo != recoveryPoint) {
            recoveryPoint = leo;
            StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.RECOVERY_POINT), leo);
        }
        unflushedMessages = 0;
        lastFlushMs = clock.millis();
    }

    private void fsyncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on every platform; file data is already synced
        }
    }

    /** Flushes when the flushIntervalMessages / flushIntervalMs policy says so. Disk errors are rethrown unchecked. */
    public void maybeFlush() {
        lock.lock();
        try {
            if (closed || unflushedMessages == 0) return;
            LogConfig cfg = config;
            if (unflushedMessages >= cfg.flushIntervalMessages() || clock.millis() - lastFlushMs >= cfg.flushIntervalMs()) {
                flushLocked();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Clean shutdown: flush, write index files and a producer-state snapshot, then the clean-shutdown marker. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) return;
            flushLocked();
            for (LogSegment s : segments.values()) {
                if (s.indexesDirty() || s == segments.lastEntry().getValue()) s.onBecomeInactive(true);
            }
            writeProducerSnapshot(end.offset());
            StorageFiles.writeAtomically(dir.resolve(StorageFiles.CLEAN_SHUTDOWN), ByteBuffer.allocate(0), true);
            closed = true;
        } finally {
            closeChannelsIfClosed();
            lock.unlock();
        }
    }

    private void closeChannelsIfClosed() {
        if (closed) closeChannels();
    }

    private void closeChannels() {
        for (LogSegment s : segments.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a read/write channel does not lose data that was already forced
            }
        }
    }

    /** Closes the log and removes its directory. */
    public void delete() throws IOException {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                closeChannels();
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException("log " + dir + " is closed");
    }

    private void writeProducerSnapshot(long offset) throws IOException {
        producerState.writeSnapshot(dir, offset, SNAPSHOTS_TO_KEEP);
    }

    private void rebuildProducerState() throws IOException {
        producerState.rebuild(dir, end.offset(), segments.values());
    }

    /** What a cleaning pass needs to know about the log, taken together under the lock. */
    record CleaningView(List<LogSegment> segments, long logStartOffset, long cleanerCheckpoint, long truncations,
                        Map<Long, Long> producerLastOffsets) {
        LogSegment active() {
            return segments.get(segments.size() - 1);
        }
    }

    CleaningView cleaningView() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            return new CleaningView(List.copyOf(segments.values()), logStartOffset, cleanerCheckpoint, truncations,
                    producerState.lastOffsets());
        } finally {
            lock.unlock();
        }
    }

    /** Offset below which the log has been compacted (not clamped to the log start). */
    public long cleanerCheckpoint() {
        return cleanerCheckpoint;
    }

    void updateCleanerCheckpoint(long offset) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            writeCleanerCheckpoint(offset);
        } finally {
            lock.unlock();
        }
    }

    private void writeCleanerCheckpoint(long offset) throws IOException {
        cleanerCheckpoint = offset;
        StorageFiles.writeCheckpoint(dir.resolve(StorageFiles.CLEANER_CHECKPOINT), offset);
    }

    /**
     * Replaces the consecutive inactive segments {@code replaced} with {@code cleaned} (written by the cleaner to
     * {@code <base>.log.cleaned}, fsynced, with the base offset of the first one). Returns false and changes nothing when
     * the log changed under the cleaning: closed, any of the segments removed (retention) or rewritten (truncation).
     *
     * <p>Order matters for crash safety and for lock-free readers: the {@code .cleaned} file is first renamed to a
     * {@code .swap} name carrying the replaced range (the commit point: recovery completes the swap from here, see
     * {@link LogLoader}); the cleaned segment then takes the first key, so a reader always finds either the old or the
     * new copy of every record; then the old files become {@code .deleted} (their channels stay open for readers until
     * {@link LogConfig#fileDeleteDelayMs()}); only then does the swap file take the final name.
     */
    boolean swapCleaned(List<LogSegment> replaced, LogSegment cleaned, long truncationsSeen) throws IOException {
        lock.lock();
        try {
            if (closed || truncations != truncationsSeen) return false;
            for (LogSegment s : replaced) {
                if (segments.get(s.baseOffset()) != s || s == segments.lastEntry().getValue()) return false;
            }
            long base = cleaned.baseOffset();
            LogSegment after = segments.higherEntry(replaced.get(replaced.size() - 1).baseOffset()).getValue();
            Path swap = dir.resolve(StorageFiles.swapFileName(base, after.baseOffset()));
            Files.move(LogSegment.cleanedFile(dir, base), swap);
            segments.put(base, cleaned);
            for (LogSegment s : replaced) {
                if (s.baseOffset() != base) segments.remove(s.baseOffset());
                s.renameToDeleted();
                scheduler.schedule(s::closeAndDelete, config.fileDeleteDelayMs(), TimeUnit.MILLISECONDS);
            }
            Files.move(swap, dir.resolve(StorageFiles.fileName(base, StorageFiles.LOG_SUFFIX)));
            cleaned.onBecomeInactive(false);
            fsyncDirectory();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** All segments, oldest first (the last one is the active segment). */
    List<LogSegment> segmentList() {
        return List.copyOf(segments.values());
    }

    // visible for tests
    long recoveryPoint() {
        lock.lock();
        try {
            return recoveryPoint;
        } finally {
            lock.unlock();
        }
    }

    ProducerStateManager producerState() {
        return producerState;
    }

    private record LogEnd(long offset, LogSegment segment, int position) {
    }
}
