package io.strand.broker.storage;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The storage package's shared background executor: one daemon thread running delayed file deletions. Thread-safe.
 * {@link PartitionLog#open(java.nio.file.Path, LogConfig, java.time.Clock, ScheduledExecutorService)} accepts another
 * executor instead (e.g. one the server shuts down explicitly).
 */
public final class StorageScheduler {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ScheduledExecutorService SHARED = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strand-storage-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private StorageScheduler() {
    }

    public static ScheduledExecutorService shared() {
        return SHARED;
    }
}
