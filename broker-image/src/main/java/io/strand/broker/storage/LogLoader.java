package io.strand.broker.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * Startup recovery of a partition directory. Stateless; called once by {@link PartitionLog#open} before the log is
 * visible to other threads.
 *
 * <ul>
 *   <li>After a clean shutdown ({@code .clean-shutdown} present) every segment's index files are trusted; only the tail
 *       of each segment after its last index entry is scanned (headers only) to find the end offset.</li>
 *   <li>Otherwise segments wholly below the {@code recovery-point} checkpoint (known to be fsynced) are trusted the same
 *       way, and the segment containing the recovery point and all later ones are recovered: every batch's length,
 *       magic and CRC are checked, the file is truncated at the first invalid/torn batch, all later segments are
 *       deleted, and the indexes are rebuilt. Without a recovery point every segment is recovered.</li>
 *   <li>Missing or inconsistent index files always cause a rebuild of that segment.</li>
 *   <li>Leftovers of the {@link LogCleaner}: a {@code .cleaned} file is an unfinished cleaning and is deleted; a
 *       {@code <base>-<end>.swap} file is a committed one, so the segments it replaces (bases in {@code [base, end)})
 *       are deleted and it is renamed to {@code <base>.log} (its indexes are then rebuilt).</li>
 * </ul>
 */
final class LogLoader {

    record Loaded(ConcurrentSkipListMap<Long, LogSegment> segments, boolean cleanShutdown, boolean recovered,
                  long logStartOffset) {
    }

    private LogLoader() {
    }

    static Loaded load(Path dir, LogConfig config, long nowMs) throws IOException {
        Files.createDirectories(dir);
        boolean clean = Files.exists(dir.resolve(StorageFiles.CLEAN_SHUTDOWN));
        long recoveryPoint = clean ? Long.MAX_VALUE : StorageFiles.readCheckpoint(dir.resolve(StorageFiles.RECOVERY_POINT), -1);
        completeSwaps(dir);
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(StorageFiles.DELETED_SUFFIX) || name.endsWith(StorageFiles.TMP_SUFFIX)
                        || name.endsWith(StorageFiles.CLEANED_SUFFIX)) {
                    Files.deleteIfExists(p); // interrupted deletion, atomic write or cleaning
                    continue;
                }
                long base = StorageFiles.parseOffset(name, StorageFiles.LOG_SUFFIX);
                if (base >= 0) bases.add(base);
            }
        }
        bases.sort(null);

        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        try {
            boolean recovered = loadSegments(dir, config, nowMs, clean, recoveryPoint, bases, segments);
            long logStartOffset = StorageFiles.readCheckpoint(dir.resolve(StorageFiles.LOG_START_OFFSET), 0);
            if (segments.isEmpty()) {
                segments.put(logStartOffset, LogSegment.create(dir, logStartOffset, config, nowMs));
            }
            long leo = segments.lastEntry().getValue().nextOffset();
            logStartOffset = Math.min(Math.max(logStartOffset, segments.firstKey()), leo);
            return new Loaded(segments, clean, recovered, logStartOffset);
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Finishes swaps the cleaner committed (renamed {@code .cleaned} to {@code .swap}) but did not complete before a
     * crash. The swap file holds everything the replaced segments held after cleaning, so the old files go.
     */
    private static void completeSwaps(Path dir) throws IOException {
        List<Path> swaps = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> StorageFiles.parseSwapRange(p.getFileName().toString()) != null).forEach(swaps::add);
        }
        if (swaps.isEmpty()) return;
        List<Long> existing = new ArrayList<>(); // bases of any segment file: an index may outlive its log file
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                for (String suffix : new String[] {StorageFiles.LOG_SUFFIX, StorageFiles.INDEX_SUFFIX, StorageFiles.TIME_INDEX_SUFFIX}) {
                    long base = StorageFiles.parseOffset(name, suffix);
                    if (base >= 0) existing.add(base);
                }
            }
        }
        for (Path swap : swaps) {
            long[] range = StorageFiles.parseSwapRange(swap.getFileName().toString());
            deleteSegmentFiles(dir, existing.stream().filter(b -> b >= range[0] && b < range[1]).distinct().toList());
            Files.move(swap, dir.resolve(StorageFiles.fileName(range[0], StorageFiles.LOG_SUFFIX)));
        }
    }

    private static boolean loadSegments(Path dir, LogConfig config, long nowMs, boolean clean, long recoveryPoint,
                                        List<Long> bases, ConcurrentSkipListMap<Long, LogSegment> segments) throws IOException {
        boolean recovered = false;
        long expectedNext = -1;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            long nextBase = i + 1 < bases.size() ? bases.get(i + 1) : Long.MAX_VALUE;
            boolean trust = clean || (recoveryPoint >= 0 && nextBase <= recoveryPoint);
            LogSegment seg = LogSegment.open(dir, base, config, trust, nowMs);
            if (!trust) recovered = true;
            if (expectedNext >= 0 && base < expectedNext) {
                // overlaps the previous segment: cannot be trusted, drop it and everything after
                seg.close();
                deleteSegmentFiles(dir, bases.subList(i, bases.size()));
                break;
            }
            segments.put(base, seg);
            expectedNext = seg.nextOffset();
            if (seg.truncatedBytes > 0) {
                deleteSegmentFiles(dir, bases.subList(i + 1, bases.size()));
                break;
            }
        }
        // index files without a log file
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                long base = Math.max(StorageFiles.parseOffset(name, StorageFiles.INDEX_SUFFIX),
                        StorageFiles.parseOffset(name, StorageFiles.TIME_INDEX_SUFFIX));
                if (base >= 0 && !segments.containsKey(base)) Files.deleteIfExists(p);
            }
        }
        return recovered;
    }

    private static void deleteSegmentFiles(Path dir, List<Long> bases) throws IOException {
        for (long base : bases) {
            for (String suffix : new String[] {StorageFiles.LOG_SUFFIX, StorageFiles.INDEX_SUFFIX, StorageFiles.TIME_INDEX_SUFFIX}) {
                Files.deleteIfExists(dir.resolve(StorageFiles.fileName(base, suffix)));
            }
        }
    }
}
