package io.strand.broker.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.Partition;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Replication and controller health as Kafka reports it: under-replicated partitions per leader, offline partitions
 * and the active-controller flag on the controller, ISR shrinks and expands, and log sizes per local partition. Gauges
 * read the state the broker already keeps when they are scraped; nothing here runs on the produce or fetch path.
 */
public final class ReplicaMetrics {
    private final LogManager logs;
    private final ClusterMetadata metadata;
    private final MeterRegistry registry;
    private final MeterSet<TopicPartition> partitionSizes;
    private final Counter isrShrinks;
    private final Counter isrExpands;

    public ReplicaMetrics(LogManager logs, MeterRegistry registry) {
        this.logs = logs;
        this.metadata = logs.metadata();
        this.registry = registry;
        this.partitionSizes = new MeterSet<>(registry);
        int self = metadata.nodeId();
        gauge("strand.partitions", "Partitions with a replica on this broker", l -> l.partitions().size());
        gauge("strand.log.size.bytes", "Bytes in all partition logs on this broker",
                l -> l.partitions().stream().mapToLong(p -> p.log().sizeInBytes()).sum());
        gauge("strand.replica.leader.partitions", "Partitions this broker leads",
                l -> l.partitions().stream().filter(Partition::isLeader).count());
        gauge("strand.replica.under.replicated.partitions", "Partitions this broker leads whose ISR is smaller than the replica set",
                l -> l.partitions().stream().filter(p -> PartitionHealth.underReplicated(p.state(), self)).count());
        gauge("strand.controller.active", "1 on the active controller (the metadata quorum's Raft leader), else 0",
                l -> metadata.log().isLeader() ? 1 : 0);
        gauge("strand.controller.offline.partitions", "Partitions without a leader; reported by the active controller only, 0 elsewhere",
                l -> metadata.log().isLeader() ? PartitionHealth.offlinePartitions(metadata.image()) : 0);
        isrShrinks = Counter.builder("strand.replica.isr.shrinks").description("ISR changes by this leader that removed a follower").register(registry);
        isrExpands = Counter.builder("strand.replica.isr.expands").description("ISR changes by this leader that added a follower").register(registry);
        logs.addIsrChangeListener(this::isrChanged);
    }

    private void gauge(String name, String description, ToDoubleFunction<LogManager> value) {
        Gauge.builder(name, logs, value).description(description).strongReference(true).register(registry);
    }

    void isrChanged(List<Integer> before, List<Integer> after) {
        if (PartitionHealth.shrank(before, after)) {
            isrShrinks.increment();
        }
        if (PartitionHealth.expanded(before, after)) {
            isrExpands.increment();
        }
    }

    /** Registers size gauges for partitions that arrived on this broker and removes those of partitions that left. */
    public void refresh() {
        List<TopicPartition> local = logs.partitions().stream().map(Partition::topicPartition).toList();
        partitionSizes.sync(local, tp -> Gauge.builder("strand.log.partition.size", () -> size(tp))
                .description("Bytes in the log of one partition on this broker").baseUnit("bytes")
                .tags(Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()))).strongReference(true).register(registry));
    }

    private double size(TopicPartition tp) {
        Partition p = logs.partition(tp.topic(), tp.partition());
        return p == null ? Double.NaN : p.log().sizeInBytes();
    }
}
