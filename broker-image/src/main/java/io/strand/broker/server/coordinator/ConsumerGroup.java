package io.strand.broker.server.coordinator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A consumer-protocol (KIP-848) group: members with their epochs, the target assignment computed by a server-side
 * assignor, and the topic metadata that assignment was computed from. Not thread-safe: guarded by the shard's lock.
 */
final class ConsumerGroup implements Group {
    enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable"), DEAD("Dead");

        final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }
    }

    /** A subscribed topic as the assignment saw it: its id and partition count. */
    record TopicMetadata(Uuid id, int partitions) {
    }

    private final String groupId;
    int groupEpoch;
    int assignmentEpoch;
    String assignorName;
    final Map<String, ConsumerMember> members = new LinkedHashMap<>();
    Map<String, Map<Uuid, Set<Integer>>> targetAssignment = new HashMap<>();
    Map<String, TopicMetadata> subscriptionMetadata = Map.of();
    boolean dead;
    private long stateTimestamp;
    private State lastState = State.EMPTY;
    /** The last snapshot written to the log: a heartbeat that changes nothing writes nothing. */
    byte[] lastPersisted;

    ConsumerGroup(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    State state() {
        if (dead) {
            return State.DEAD;
        }
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > assignmentEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerMember member : members.values()) {
            if (member.memberEpoch != assignmentEpoch || member.state != ConsumerMember.State.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    /** Records when the state last changed (offsets retention counts from the moment the group became empty). */
    void updateStateTimestamp(long now) {
        State current = state();
        if (current != lastState) {
            lastState = current;
            stateTimestamp = now;
        }
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public String type() {
        return "consumer";
    }

    @Override
    public String stateName() {
        return state().wireName;
    }

    @Override
    public String protocolType() {
        return "consumer";
    }

    @Override
    public boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public long stateTimestamp() {
        return stateTimestamp;
    }

    @Override
    public boolean isSubscribedTo(String topic) {
        return subscriptionMetadata.containsKey(topic);
    }

    ConsumerMember staticMember(String instanceId) {
        if (instanceId == null) {
            return null;
        }
        return members.values().stream().filter(m -> instanceId.equals(m.instanceId)).findFirst().orElse(null);
    }

    /** Who holds each partition now (assigned or still revoking), by topic id and partition. */
    Map<Uuid, Map<Integer, String>> currentOwners() {
        Map<Uuid, Map<Integer, String>> owners = new HashMap<>();
        for (ConsumerMember member : members.values()) {
            member.assigned.forEach((topic, parts) -> parts.forEach(p -> owners.computeIfAbsent(topic, t -> new HashMap<>()).put(p, member.memberId)));
            member.pendingRevocation.forEach((topic, parts) -> parts.forEach(p -> owners.computeIfAbsent(topic, t -> new HashMap<>()).put(p, member.memberId)));
        }
        return owners;
    }
}
