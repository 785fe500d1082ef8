package io.strand.broker.server.cluster;

import java.util.List;
import java.util.Map;

/**
 * One entry of the replicated metadata log. Every broker applies the same records in the same order
 * ({@link ClusterImage#apply}), so application must be deterministic: decisions that need judgement (where to place
 * replicas) are made before proposing and carried in the record; the rest (who leads after a broker is fenced) follows
 * from fixed rules.
 */
public sealed interface MetadataRecord {
    /** A broker process (re)joined. A new incarnation drops the broker from every ISR it was in, since its log may be behind. */
    record RegisterBroker(BrokerRegistration registration) implements MetadataRecord {
    }

    /** The broker stopped heartbeating (or its process was replaced): it leads nothing and leaves every ISR. */
    record FenceBroker(int brokerId, long incarnation) implements MetadataRecord {
    }

    /** The broker heartbeats again and has caught up with the metadata: it may lead partitions whose ISR holds it. */
    record UnfenceBroker(int brokerId, long incarnation) implements MetadataRecord {
    }

    /** SIGTERM: move leadership to other in-sync replicas before the broker exits. */
    record ControlledShutdown(int brokerId, long incarnation) implements MetadataRecord {
    }

    /** Forget a broker that holds no replicas any more (scale-down). */
    record UnregisterBroker(int brokerId) implements MetadataRecord {
    }

    record CreateTopic(TopicMetadata topic) implements MetadataRecord {
    }

    record DeleteTopic(String name) implements MetadataRecord {
    }

    record SetTopicConfigs(String name, Map<String, String> configs) implements MetadataRecord {
    }

    /** New partitions appended to a topic, already placed. */
    record CreatePartitions(String name, List<PartitionState> added) implements MetadataRecord {
    }

    /**
     * A partition leader's ISR change (Kafka's AlterPartition). Refused unless the sender still leads with the given
     * leader epoch and partition epoch, and every added member is an active broker.
     */
    record AlterIsr(String topic, int partition, int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr) implements MetadataRecord {
    }

    /** Start (target non-null) or cancel (target null) moving a partition's replicas. */
    record Reassign(String topic, int partition, List<Integer> target) implements MetadataRecord {
    }

    /** Make the first replica leader again if it is in sync (preferred leader election). */
    record ElectPreferredLeader(String topic, int partition) implements MetadataRecord {
    }

    /** Reserve {@code count} producer ids; the reply carries the first. */
    record AllocateProducerIds(int count) implements MetadataRecord {
    }

    /** Snapshot bootstrap: the cluster id and producer id counter. */
    record ClusterState(String clusterId, long nextProducerId) implements MetadataRecord {
    }
}
