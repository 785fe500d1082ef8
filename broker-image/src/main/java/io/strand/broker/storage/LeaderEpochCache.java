package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's leader epoch cache: for every leader epoch seen in the log, the offset of its first batch, persisted in
 * {@code leader-epoch-checkpoint} (Kafka's format: version line {@code 0}, a count line, then {@code epoch startOffset}
 * lines). Followers and the leader use {@link #endOffsetFor} to find where two logs diverge (OffsetForLeaderEpoch and
 * the Fetch divergingEpoch of KIP-595). Thread-safe (synchronized); the log calls it under its own lock.
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1;

    /** An epoch and where it ends (exclusive), as OffsetForLeaderEpoch answers. */
    public record EpochEnd(int epoch, long endOffset) {
        public boolean undefined() {
            return epoch == UNDEFINED_EPOCH && endOffset == UNDEFINED_OFFSET;
        }
    }

    private final Path file;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** Loads the checkpoint in {@code dir}; a missing or unreadable file gives an empty cache. */
    static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE_NAME));
        try {
            List<String> lines = Files.readAllLines(cache.file, StandardCharsets.US_ASCII);
            if (lines.size() >= 2 && lines.get(0).trim().equals("0")) {
                int count = Integer.parseInt(lines.get(1).trim());
                for (int i = 0; i < count && 2 + i < lines.size(); i++) {
                    String[] parts = lines.get(2 + i).trim().split("\\s+");
                    cache.epochs.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                }
            }
        } catch (NoSuchFileException e) {
            // new or pre-replication log
        } catch (IOException | RuntimeException e) {
            cache.epochs.clear();
        }
        return cache;
    }

    boolean fileExists() {
        return Files.exists(file);
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. Ignored unless the epoch is newer than the latest one;
     * entries starting at or after {@code startOffset} are dropped first (they were truncated away).
     */
    public synchronized boolean assign(int epoch, long startOffset) throws IOException {
        if (epoch < 0) return false;
        Map.Entry<Integer, Long> latest = epochs.lastEntry();
        if (latest != null && latest.getKey() >= epoch) return false;
        epochs.values().removeIf(start -> start >= startOffset);
        epochs.put(epoch, startOffset);
        persist();
        return true;
    }

    /** Kafka's LeaderEpochFileCache.endOffsetFor: the largest epoch <= requested and where it ends. */
    public synchronized EpochEnd endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH) return new EpochEnd(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        Map.Entry<Integer, Long> latest = epochs.lastEntry();
        if (latest != null && latest.getKey() == requestedEpoch) return new EpochEnd(requestedEpoch, logEndOffset);
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) return new EpochEnd(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requestedEpoch);
        return new EpochEnd(floor == null ? requestedEpoch : floor.getKey(), higher.getValue());
    }

    /** The latest epoch, or -1 when none. */
    public synchronized int latestEpoch() {
        return epochs.isEmpty() ? UNDEFINED_EPOCH : epochs.lastKey();
    }

    /** Start offset of {@code epoch}, or -1 when the cache does not hold it. */
    public synchronized long startOffsetOf(int epoch) {
        Long start = epochs.get(epoch);
        return start == null ? UNDEFINED_OFFSET : start;
    }

    /** The log was truncated to {@code endOffset}: drop epochs that start at or after it. */
    synchronized void truncateFromEnd(long endOffset) throws IOException {
        if (epochs.isEmpty() || epochs.lastEntry().getValue() < endOffset) return;
        epochs.values().removeIf(start -> start >= endOffset);
        persist();
    }

    /** The log start moved to {@code startOffset}: earlier epochs go, the one containing it now starts there. */
    synchronized void truncateFromStart(long startOffset) throws IOException {
        Map.Entry<Integer, Long> floor = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= startOffset) floor = e;
        }
        if (floor == null || (floor.getValue() == startOffset && epochs.firstKey().equals(floor.getKey()))) return;
        int keep = floor.getKey();
        epochs.headMap(keep, false).clear();
        epochs.put(keep, startOffset);
        persist();
    }

    synchronized void clear() throws IOException {
        epochs.clear();
        persist();
    }

    /** A copy of the entries (epoch → start offset), for tests and diagnostics. */
    public synchronized TreeMap<Integer, Long> entries() {
        return new TreeMap<>(epochs);
    }

    private void persist() throws IOException {
        StringBuilder sb = new StringBuilder("0\n").append(epochs.size()).append('\n');
        epochs.forEach((epoch, start) -> sb.append(epoch).append(' ').append(start).append('\n'));
        StorageFiles.writeAtomically(file, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)), true);
    }
}
