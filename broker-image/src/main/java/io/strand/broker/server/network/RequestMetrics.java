package io.strand.broker.server.network;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Request counts and latencies per API, as the Prometheus histogram {@code strand_requests_seconds{api=...}}
 * ({@code _bucket}, {@code _count}, {@code _sum}): rates come from {@code _count}, quantiles from the buckets on the
 * server side, aggregated across brokers. Thread-safe.
 */
public final class RequestMetrics {
    /**
     * Fixed buckets rather than Micrometer's percentile histogram (~70 buckets per API): 15 per API keep a scrape of
     * every API small, and still separate a sub-millisecond produce from a long-polling fetch (up to its max wait).
     */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(1).dividedBy(2), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final Map<ApiKeys, Timer> timers = new EnumMap<>(ApiKeys.class);

    public RequestMetrics(MeterRegistry registry, Iterable<ApiKeys> apis) {
        for (ApiKeys key : apis) {
            timers.put(key, Timer.builder("strand.requests").description("Time from a request's arrival to its response being queued")
                    .tag("api", key.name).serviceLevelObjectives(BUCKETS).minimumExpectedValue(BUCKETS[0])
                    .maximumExpectedValue(BUCKETS[BUCKETS.length - 1]).register(registry));
        }
    }

    void record(ApiKeys key, long nanos) {
        Timer timer = timers.get(key);
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
