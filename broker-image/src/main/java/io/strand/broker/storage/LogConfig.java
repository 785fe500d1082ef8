package io.strand.broker.storage;

/**
 * Per-partition log settings (the storage subset of Kafka's topic configs). Immutable value; thread-safe.
 *
 * @param segmentBytes          roll when the active segment would grow beyond this many bytes (clamped to int range)
 * @param segmentMs             roll when this long has passed since the active segment got its first batch
 * @param retentionMs           delete segments whose newest timestamp is older than this; {@code -1} keeps them forever
 * @param retentionBytes        delete oldest segments while the log is larger than this; {@code -1} = unlimited
 * @param indexIntervalBytes    approximate number of log bytes between two sparse index entries
 * @param flushIntervalMessages fsync after this many unflushed records
 * @param flushIntervalMs       fsync when the oldest unflushed append is this old
 * @param maxBatchBytes         largest accepted record batch (whole batch including its 61-byte header)
 * @param logAppendTime         stamp batches with the broker clock (timestamp type LogAppendTime)
 * @param fileDeleteDelayMs     how long files of removed segments stay readable (renamed to {@code *.deleted})
 * @param segmentIndexBytes     maximum size of one index file; a full index forces a roll
 * @param compact               cleanup.policy contains {@code compact}: the {@link LogCleaner} keeps the latest record
 *                              per key (retention still applies when the policy also contains {@code delete})
 * @param deleteRetentionMs     how long a tombstone stays after the cleaner first rewrote the batch holding it
 * @param minCleanableDirtyRatio a compacted log is cleaned once this share of its inactive bytes is not yet cleaned
 * @param minCompactionLagMs    segments holding a record younger than this are not cleaned yet
 * @param maxCompactionLagMs    a log whose oldest uncleaned data is older than this is cleaned regardless of the ratio;
 *                              the active segment of a compacted log rolls after {@code min(segmentMs, maxCompactionLagMs)}
 */
public record LogConfig(long segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int indexIntervalBytes,
                        long flushIntervalMessages, long flushIntervalMs, int maxBatchBytes, boolean logAppendTime,
                        long fileDeleteDelayMs, int segmentIndexBytes, boolean compact, long deleteRetentionMs,
                        double minCleanableDirtyRatio, long minCompactionLagMs, long maxCompactionLagMs) {

    public static final long DAY_MS = 24L * 60 * 60 * 1000;

    public LogConfig {
        if (segmentBytes < BatchHeader.HEADER_SIZE) throw new IllegalArgumentException("segmentBytes too small: " + segmentBytes);
        if (segmentMs <= 0) throw new IllegalArgumentException("segmentMs must be > 0");
        if (retentionMs < -1) throw new IllegalArgumentException("retentionMs must be >= -1");
        if (retentionBytes < -1) throw new IllegalArgumentException("retentionBytes must be >= -1");
        if (indexIntervalBytes < 0) throw new IllegalArgumentException("indexIntervalBytes must be >= 0");
        if (flushIntervalMessages < 1) throw new IllegalArgumentException("flushIntervalMessages must be >= 1");
        if (flushIntervalMs < 0) throw new IllegalArgumentException("flushIntervalMs must be >= 0");
        if (maxBatchBytes < BatchHeader.HEADER_SIZE) throw new IllegalArgumentException("maxBatchBytes too small");
        if (fileDeleteDelayMs < 0) throw new IllegalArgumentException("fileDeleteDelayMs must be >= 0");
        if (segmentIndexBytes < 12) throw new IllegalArgumentException("segmentIndexBytes must be >= 12");
        if (deleteRetentionMs < 0) throw new IllegalArgumentException("deleteRetentionMs must be >= 0");
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException("minCleanableDirtyRatio must be in [0, 1]");
        }
        if (minCompactionLagMs < 0) throw new IllegalArgumentException("minCompactionLagMs must be >= 0");
        if (maxCompactionLagMs < 1) throw new IllegalArgumentException("maxCompactionLagMs must be >= 1");
        segmentBytes = Math.min(segmentBytes, Integer.MAX_VALUE);
    }

    /** The settings of a non-compacted log (Kafka's compaction defaults), as before compaction existed. */
    public LogConfig(long segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int indexIntervalBytes,
                     long flushIntervalMessages, long flushIntervalMs, int maxBatchBytes, boolean logAppendTime,
                     long fileDeleteDelayMs, int segmentIndexBytes) {
        this(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages, flushIntervalMs,
                maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, false, DAY_MS, 0.5, 0, Long.MAX_VALUE);
    }

    /**
     * Age at which the active segment is rolled: {@code segmentMs}, or sooner for a compacted log so that its data
     * becomes cleanable within {@code maxCompactionLagMs} (the cleaner never touches the active segment).
     */
    public long effectiveRollMs() {
        return compact ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    }

    /** Kafka's defaults: 1 GiB / 7 day segments, 7 day retention, no size limit, no forced fsync. */
    public static LogConfig defaults() {
        return new LogConfig(1L << 30, 7 * DAY_MS, 7 * DAY_MS, -1, 4096, Long.MAX_VALUE, Long.MAX_VALUE, 1048588, false,
                60_000, 10 * 1024 * 1024);
    }

    public LogConfig withSegmentBytes(long v) {
        return new LogConfig(v, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(segmentBytes, v, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, v, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withRetentionBytes(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, v, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, v, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withFlushIntervalMessages(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, v,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withFlushIntervalMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, v, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withMaxBatchBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, v, logAppendTime, fileDeleteDelayMs, segmentIndexBytes,
                compact, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withLogAppendTime(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, v, fileDeleteDelayMs, segmentIndexBytes,
                compact, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withFileDeleteDelayMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, v, segmentIndexBytes, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withSegmentIndexBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, v, compact,
                deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withCompact(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs,
                segmentIndexBytes, v, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs,
                maxCompactionLagMs);
    }

    public LogConfig withDeleteRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs,
                segmentIndexBytes, compact, v, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withMinCleanableDirtyRatio(double v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs,
                segmentIndexBytes, compact, deleteRetentionMs, v, minCompactionLagMs, maxCompactionLagMs);
    }

    public LogConfig withMinCompactionLagMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs,
                segmentIndexBytes, compact, deleteRetentionMs, minCleanableDirtyRatio, v, maxCompactionLagMs);
    }

    public LogConfig withMaxCompactionLagMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes,
                flushIntervalMessages, flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs,
                segmentIndexBytes, compact, deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, v);
    }
}
