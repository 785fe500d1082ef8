package io.strand.broker.server.coordinator;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.Uuid;

/** One member of a consumer-protocol (KIP-848) group. Not thread-safe: guarded by the shard's lock. */
final class ConsumerMember {
    /** Epoch of a static member that left intending to come back with the same group.instance.id. */
    static final int LEFT_STATIC_EPOCH = -2;

    enum State {
        /** Owns exactly its target assignment (or all of it that is free). */
        STABLE,
        /** Must give up partitions first; its epoch moves only once it acknowledges. */
        UNREVOKED_PARTITIONS,
        /** Waits for partitions other members still have to revoke. */
        UNRELEASED_PARTITIONS
    }

    final String memberId;
    String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    String serverAssignor;
    int memberEpoch;
    int previousMemberEpoch;
    State state = State.STABLE;
    Map<Uuid, Set<Integer>> assigned = Map.of();
    Map<Uuid, Set<Integer>> pendingRevocation = Map.of();

    // Transient
    ScheduledFuture<?> sessionTimer;
    ScheduledFuture<?> revocationTimer;
    Map<Uuid, Set<Integer>> lastSentAssignment;

    ConsumerMember(String memberId) {
        this.memberId = memberId;
    }
}
