package io.strand.broker.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Meters for a changing set of things (partitions, group offsets): {@link #sync} registers meters for new keys and
 * removes the meters of keys that went away, so a deleted topic or group leaves no series behind. Thread-safe.
 */
final class MeterSet<K> {
    private final MeterRegistry registry;
    private final Map<K, Meter> meters = new HashMap<>();

    MeterSet(MeterRegistry registry) {
        this.registry = registry;
    }

    synchronized void sync(Collection<K> wanted, Function<K, Meter> create) {
        Set<K> keep = wanted instanceof Set<K> set ? set : new HashSet<>(wanted);
        meters.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
        for (K key : keep) {
            meters.computeIfAbsent(key, create);
        }
    }

    synchronized int size() {
        return meters.size();
    }
}
