package io.strand.broker.server.replication;

/**
 * Caps the bytes per second a broker copies for replicas it is being added as (a reassignment catching up), so moving
 * partitions onto a broker does not starve the replication that keeps existing ISRs in sync or the clients. A token
 * bucket holding at most one second of budget, shared by all fetcher threads. Thread-safe.
 */
final class ReplicationThrottle {
    private final long bytesPerSecond;
    private double tokens;
    private long lastRefillNanos = System.nanoTime();

    ReplicationThrottle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
    }

    boolean enabled() {
        return bytesPerSecond > 0 && bytesPerSecond < Long.MAX_VALUE;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Charges {@code bytes} just copied; returns how long (ms) the partition should wait before its next fetch. */
    synchronized long charge(int bytes) {
        if (!enabled()) {
            return 0;
        }
        long now = System.nanoTime();
        tokens = Math.min(bytesPerSecond, tokens + (now - lastRefillNanos) / 1e9 * bytesPerSecond);
        lastRefillNanos = now;
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1000.0 / bytesPerSecond);
    }
}
