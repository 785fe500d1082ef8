package io.strand.broker.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.Partition;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand_group_lag{group,topic,partition}} for the groups this broker coordinates: high watermark minus
 * committed offset. The committed offsets are copied from the coordinator when metrics are scraped; the gauges read
 * the high watermark of the local replica lazily. Partitions without a replica on this broker have no local high
 * watermark and are left out (counted in {@code strand_group_lag_unknown_partitions}). The number of series is capped
 * (see docs/metrics.md); offsets beyond the cap are counted in {@code strand_group_lag_dropped_partitions}.
 */
public final class GroupLagMetrics {
    private record Key(String group, TopicPartition partition) {
    }

    private final GroupCoordinator groups;
    private final LogManager logs;
    private final MeterRegistry registry;
    private final int maxSeries;
    private final MeterSet<Key> gauges;
    /** Committed offsets as of the last refresh; replaced whole, read by the gauges. */
    private volatile Map<Key, AtomicLong> committed = Map.of();
    private volatile int unknown;
    private volatile int dropped;

    public GroupLagMetrics(GroupCoordinator groups, LogManager logs, MeterRegistry registry, int maxSeries) {
        this.groups = groups;
        this.logs = logs;
        this.registry = registry;
        this.maxSeries = maxSeries;
        this.gauges = new MeterSet<>(registry);
        Gauge.builder("strand.group.lag.unknown.partitions", this, m -> m.unknown)
                .description("Committed partitions of coordinated groups with no replica on this broker: no lag reported for them")
                .strongReference(true).register(registry);
        Gauge.builder("strand.group.lag.dropped.partitions", this, m -> m.dropped)
                .description("Committed partitions left out of strand_group_lag because of its series cap").strongReference(true).register(registry);
    }

    /** Copies the committed offsets and brings the gauges in line: new ones registered, gone ones removed. */
    public synchronized void refresh() {
        Map<Key, AtomicLong> next = new HashMap<>();
        int[] counts = new int[2]; // unknown, dropped
        Map<Key, AtomicLong> previous = committed;
        groups.forEachCommittedOffset((group, tp, offset) -> {
            if (logs.partition(tp.topic(), tp.partition()) == null) {
                counts[0]++;
            } else if (next.size() >= maxSeries) {
                counts[1]++;
            } else {
                Key key = new Key(group, tp);
                AtomicLong holder = previous.get(key);
                next.put(key, holder == null ? new AtomicLong(offset) : holder);
                next.get(key).set(offset);
            }
            return true;
        });
        committed = next;
        unknown = counts[0];
        dropped = counts[1];
        gauges.sync(next.keySet(), key -> Gauge.builder("strand.group.lag", () -> lag(key))
                .description("Records between a group's committed offset and the partition's high watermark")
                .tags(Tags.of("group", key.group(), "topic", key.partition().topic(), "partition", Integer.toString(key.partition().partition())))
                .strongReference(true).register(registry));
    }

    private double lag(Key key) {
        AtomicLong offset = committed.get(key);
        Partition p = logs.partition(key.partition().topic(), key.partition().partition());
        return offset == null || p == null ? Double.NaN : PartitionHealth.lag(offset.get(), p.highWatermark());
    }

    int seriesCount() {
        return gauges.size();
    }
}
