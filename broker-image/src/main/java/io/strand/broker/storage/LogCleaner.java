package io.strand.broker.storage;

import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Background log compaction for logs whose {@link LogConfig#compact()} is set. Threads (one by default) repeatedly
 * pick the registered log that most needs cleaning — past {@link LogConfig#maxCompactionLagMs()} first, then the
 * highest dirty ratio at or above {@link LogConfig#minCleanableDirtyRatio()} — and run a {@link Cleaner} pass on it;
 * when no log qualifies they wait {@link Config#backoffMs()}. Before choosing, each round rolls active segments older
 * than {@link LogConfig#effectiveRollMs()} ({@link PartitionLog#rollIfExpired()}), so idle logs become cleanable.
 *
 * <p>Cleaning never blocks produce or fetch: see {@link PartitionLog#swapCleaned}. A log is cleaned by at most one
 * thread at a time. {@link #unregister} aborts a pass over that log and waits for it to stop (call it before deleting
 * or closing the log). Threads are never interrupted: an interrupt during a {@code FileChannel} read would close the
 * segment's channel for every reader, so stopping uses a flag checked between batches.
 *
 * <p>Storage does no logging: outcomes are reported to a {@link Listener}. Thread-safe.
 */
public final class LogCleaner implements Closeable {

    /**
     * @param threads          cleaner threads
     * @param backoffMs        pause when no log needs cleaning
     * @param dedupeBufferBytes memory for the offset maps, shared among the threads (24 bytes per key)
     * @param ioBufferBytes    read/write chunk size per thread
     */
    public record Config(int threads, long backoffMs, long dedupeBufferBytes, int ioBufferBytes) {
        public Config {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
            if (backoffMs < 0) throw new IllegalArgumentException("backoffMs must be >= 0");
            if (dedupeBufferBytes / threads < 1024) throw new IllegalArgumentException("dedupe buffer too small");
        }

        /** Kafka's defaults: 1 thread, 15 s backoff, 128 MiB dedupe buffer, 512 KiB I/O buffer. */
        public static Config defaults() {
            return new Config(1, 15_000, 128L << 20, 512 << 10);
        }
    }

    /** Receives what the cleaner did; called on cleaner threads, must not block. */
    public interface Listener {
        void cleaned(PartitionLog log, CleaningStats stats);

        void failed(PartitionLog log, Exception error);
    }

    /** What one pass did. */
    public record CleaningStats(long firstDirtyOffset, long cleanedUpTo, long bytesBefore, long bytesAfter,
                                int segmentsBefore, int segmentsAfter, long durationMs) {
    }

    private final RecordCodec codec;
    private final Config config;
    private final Clock clock;
    private final Listener listener;
    private final Set<PartitionLog> logs = new LinkedHashSet<>(); // guarded by this
    private final Set<PartitionLog> inProgress = new HashSet<>(); // guarded by this
    private final Set<PartitionLog> aborting = new HashSet<>(); // guarded by this
    private final Map<PartitionLog, Long> failedUntil = new HashMap<>(); // guarded by this
    private final List<Thread> threads = new ArrayList<>();
    private Cleaner callerCleaner; // guarded by this; for cleanDirtiest() callers, created on first use
    private volatile boolean running;
    private boolean wakeup; // guarded by this

    public LogCleaner(RecordCodec codec, Config config, Clock clock, Listener listener) {
        this.codec = codec;
        this.config = config;
        this.clock = clock;
        this.listener = listener;
    }

    private Cleaner newCleaner() {
        return new Cleaner(codec, config.dedupeBufferBytes() / config.threads(), config.ioBufferBytes());
    }

    /** Starts the cleaner threads (daemons named {@code strand-log-cleaner-N}). */
    public synchronized void start() {
        if (running) return;
        running = true;
        for (int i = 0; i < config.threads(); i++) {
            Cleaner cleaner = newCleaner();
            Thread t = new Thread(() -> loop(cleaner), "strand-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Makes the log a candidate; whether it is cleaned depends on its current {@link LogConfig#compact()}. */
    public synchronized void register(PartitionLog log) {
        logs.add(log);
        failedUntil.remove(log);
    }

    /** Removes the log and, if a pass over it is running, aborts it and waits until it stopped. */
    public synchronized void unregister(PartitionLog log) throws InterruptedException {
        logs.remove(log);
        failedUntil.remove(log);
        if (!inProgress.contains(log)) return;
        aborting.add(log);
        try {
            while (inProgress.contains(log)) wait();
        } finally {
            aborting.remove(log);
        }
    }

    /** Ends the next backoff early (e.g. after a config change). */
    public synchronized void wakeup() {
        wakeup = true;
        notifyAll();
    }

    /**
     * Cleans the log that most needs it, on the calling thread (the cleaner threads call this in a loop; tests call it
     * directly). Returns the log's stats, or null when no log needed cleaning.
     *
     * @throws IOException when the pass failed; the log is skipped for a while (ten backoffs)
     */
    public CleaningStats cleanDirtiest() throws IOException {
        Cleaner cleaner;
        synchronized (this) {
            if (callerCleaner == null) callerCleaner = newCleaner();
            cleaner = callerCleaner;
        }
        synchronized (cleaner) { // one offset map: callers take turns
            return cleanDirtiest(cleaner);
        }
    }

    private CleaningStats cleanDirtiest(Cleaner cleaner) throws IOException {
        PartitionLog log = grabDirtiest();
        if (log == null) return null;
        long start = clock.millis();
        try {
            Cleaner.Result r = cleaner.clean(log, start, () -> isAborted(log));
            if (r == null) return null;
            CleaningStats stats = new CleaningStats(r.firstDirtyOffset(), r.cleanedUpTo(), r.bytesBefore(), r.bytesAfter(),
                    r.segmentsBefore(), r.segmentsAfter(), clock.millis() - start);
            listener.cleaned(log, stats);
            return stats;
        } catch (Cleaner.AbortedException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failedUntil.put(log, clock.millis() + 10 * config.backoffMs());
            }
            listener.failed(log, e);
            throw e;
        } finally {
            release(log);
        }
    }

    private synchronized boolean isAborted(PartitionLog log) {
        return !running && !threads.isEmpty() || aborting.contains(log);
    }

    private synchronized void release(PartitionLog log) {
        inProgress.remove(log);
        notifyAll();
    }

    /** Picks the log to clean and marks it in progress; null when none qualifies. */
    private PartitionLog grabDirtiest() {
        List<PartitionLog> candidates;
        synchronized (this) {
            long now = clock.millis();
            failedUntil.values().removeIf(until -> until <= now);
            candidates = new ArrayList<>();
            for (PartitionLog log : logs) {
                if (!inProgress.contains(log) && !failedUntil.containsKey(log) && log.config().compact()) candidates.add(log);
            }
        }
        PartitionLog best = null;
        double bestScore = -1;
        for (PartitionLog log : candidates) { // outside the monitor: takes each log's lock briefly
            try {
                log.rollIfExpired();
                LogConfig cfg = log.config();
                long now = clock.millis();
                Cleaner.Range r = Cleaner.range(log.cleaningView(), cfg, now);
                if (r.dirtyBytes() == 0) continue;
                boolean overdue = now - r.oldestDirtyMs() > cfg.maxCompactionLagMs();
                if (!overdue && r.dirtyRatio() < cfg.minCleanableDirtyRatio()) continue;
                double score = (overdue ? 1 : 0) + r.dirtyRatio(); // overdue logs first, then the dirtiest
                if (score > bestScore) {
                    best = log;
                    bestScore = score;
                }
            } catch (IOException | RuntimeException e) {
                // closed or deleted meanwhile: not a candidate this round
            }
        }
        if (best == null) return null;
        synchronized (this) {
            if (!logs.contains(best) || !inProgress.add(best)) return null;
        }
        return best;
    }

    private void loop(Cleaner cleaner) {
        while (running) {
            CleaningStats stats = null;
            try {
                stats = cleanDirtiest(cleaner);
            } catch (IOException | RuntimeException e) {
                // already reported to the listener; the loop keeps serving the other logs
            }
            if (stats == null) awaitBackoff();
        }
    }

    private synchronized void awaitBackoff() {
        long deadline = System.nanoTime() + config.backoffMs() * 1_000_000;
        while (running && !wakeup) {
            long waitMs = (deadline - System.nanoTime()) / 1_000_000;
            if (waitMs <= 0) break;
            try {
                wait(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        wakeup = false;
    }

    /** Stops the threads after their current batch and waits for them (at most a few seconds each). */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll();
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
