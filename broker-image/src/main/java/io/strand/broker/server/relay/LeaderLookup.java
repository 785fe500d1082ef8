package io.strand.broker.server.relay;

import org.apache.kafka.common.Uuid;

/** Where a partition's requests must go: the id of its live leader, or -1 when none is known. */
@FunctionalInterface
public interface LeaderLookup {
    int leader(String topic, Uuid topicId, int partition);

    /**
     * The broker a leg for this partition goes to: its leader, or {@code self} when there is no usable leader, so
     * the local handler answers with the precise error (unknown topic, no leader) instead of the relay guessing.
     */
    default int target(int self, String topic, Uuid topicId, int partition) {
        int leader = leader(topic, topicId, partition);
        return leader < 0 ? self : leader;
    }

    /** A map key for a topic named by id (newer versions) or by name. */
    static String topicKey(String name, Uuid id) {
        return id != null && !Uuid.ZERO_UUID.equals(id) ? "id:" + id : "name:" + name;
    }
}
