package io.strand.broker.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeterSetTest {
    @Test
    void syncRegistersNewKeysOnceAndRemovesGoneOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeterSet<String> set = new MeterSet<>(registry);
        AtomicInteger created = new AtomicInteger();
        java.util.function.Function<String, io.micrometer.core.instrument.Meter> create = key -> {
            created.incrementAndGet();
            return Gauge.builder("g", () -> key.length()).tag("key", key).strongReference(true).register(registry);
        };
        set.sync(List.of("a", "bb"), create);
        set.sync(List.of("a", "bb", "ccc"), create);
        assertThat(created).hasValue(3);
        assertThat(registry.find("g").gauges()).hasSize(3);
        assertThat(registry.get("g").tag("key", "ccc").gauge().value()).isEqualTo(3.0);

        set.sync(List.of("ccc"), create);
        assertThat(registry.find("g").gauges()).extracting(g -> g.getId().getTag("key")).containsExactly("ccc");
        assertThat(set.size()).isEqualTo(1);
        set.sync(List.of(), create);
        assertThat(registry.find("g").gauges()).isEmpty();
        set.sync(List.of("a"), create);
        assertThat(registry.get("g").tag("key", "a").gauge().value()).as("a key that returns gets a live meter again").isEqualTo(1.0);
    }
}
