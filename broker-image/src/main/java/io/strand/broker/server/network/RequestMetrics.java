package io.strand.broker.server.network;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;

/** Request counts and latencies per API, as {@code strand_requests_seconds{api=...}}. Thread-safe. */
public final class RequestMetrics {
    private final Map<ApiKeys, Timer> timers = new EnumMap<>(ApiKeys.class);

    public RequestMetrics(MeterRegistry registry, Iterable<ApiKeys> apis) {
        for (ApiKeys key : apis) {
            timers.put(key, Timer.builder("strand.requests").description("Time from a request's arrival to its response being queued")
                    .tag("api", key.name).register(registry));
        }
    }

    void record(ApiKeys key, long nanos) {
        Timer timer = timers.get(key);
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
