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
 */
public record LogConfig(long segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int indexIntervalBytes,
                        long flushIntervalMessages, long flushIntervalMs, int maxBatchBytes, boolean logAppendTime,
                        long fileDeleteDelayMs, int segmentIndexBytes) {

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
        segmentBytes = Math.min(segmentBytes, Integer.MAX_VALUE);
    }

    /** Kafka's defaults: 1 GiB / 7 day segments, 7 day retention, no size limit, no forced fsync. */
    public static LogConfig defaults() {
        return new LogConfig(1L << 30, 7 * DAY_MS, 7 * DAY_MS, -1, 4096, Long.MAX_VALUE, Long.MAX_VALUE, 1048588, false,
                60_000, 10 * 1024 * 1024);
    }

    public LogConfig withSegmentBytes(long v) {
        return new LogConfig(v, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(segmentBytes, v, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, v, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withRetentionBytes(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, v, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, v, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withFlushIntervalMessages(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, v,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withFlushIntervalMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                v, maxBatchBytes, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withMaxBatchBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, v, logAppendTime, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withLogAppendTime(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, v, fileDeleteDelayMs, segmentIndexBytes);
    }

    public LogConfig withFileDeleteDelayMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, v, segmentIndexBytes);
    }

    public LogConfig withSegmentIndexBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, flushIntervalMessages,
                flushIntervalMs, maxBatchBytes, logAppendTime, fileDeleteDelayMs, v);
    }
}
