package io.strand.broker.server.coordinator;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;

/** The state of one classic group: members, generation and the selected protocol. Not thread-safe: guarded by the shard's lock. */
final class ClassicGroup implements Group {
    private final String groupId;
    private ClassicGroupState state = ClassicGroupState.EMPTY;
    private long stateTimestamp;
    String protocolType;
    String protocolName;
    int generationId;
    String leaderId;
    final Map<String, ClassicMember> members = new LinkedHashMap<>();
    /** group.instance.id to member id. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, expiring unless the member rejoins with them. */
    final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    ScheduledFuture<?> joinTimer;
    /** True while the initial-rebalance delay of a group that was empty is running: the join may not complete early. */
    boolean initialDelayActive;
    boolean newMemberDuringDelay;
    long initialDelayRemainingMs;

    ClassicGroup(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public String type() {
        return "classic";
    }

    @Override
    public String stateName() {
        return state.wireName();
    }

    @Override
    public String protocolType() {
        return protocolType == null ? "" : protocolType;
    }

    @Override
    public boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public long stateTimestamp() {
        return stateTimestamp;
    }

    ClassicGroupState state() {
        return state;
    }

    boolean is(ClassicGroupState candidate) {
        return state == candidate;
    }

    void transitionTo(ClassicGroupState next, long now) {
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException("group " + groupId + " cannot go from " + state + " to " + next);
        }
        state = next;
        stateTimestamp = now;
    }

    /** Sets the state of a group rebuilt from the log, where no transition happened. */
    void restore(ClassicGroupState loaded, long timestamp) {
        state = loaded;
        stateTimestamp = timestamp;
    }

    ClassicMember member(String memberId) {
        return members.get(memberId);
    }

    void add(ClassicMember member, String memberProtocolType) {
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        members.put(member.memberId, member);
        if (member.instanceId != null) {
            staticMembers.put(member.instanceId, member.memberId);
        }
        if (leaderId == null) {
            leaderId = member.memberId;
        }
    }

    void remove(String memberId) {
        ClassicMember member = members.remove(memberId);
        if (member != null && member.instanceId != null) {
            staticMembers.remove(member.instanceId, memberId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.values().stream().filter(ClassicMember::isAwaitingJoin).map(m -> m.memberId).findFirst()
                    .orElse(members.isEmpty() ? null : members.keySet().iterator().next());
        }
    }

    /** Protocols every member supports (all of the request's when the group has no members). */
    Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (ClassicMember member : members.values()) {
            if (candidates == null) {
                candidates = new java.util.LinkedHashSet<>(member.protocols.keySet());
            } else {
                candidates.retainAll(member.protocols.keySet());
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    boolean supportsProtocols(String type, Collection<String> names) {
        if (members.isEmpty()) {
            return type != null && !type.isEmpty() && !names.isEmpty();
        }
        return type.equals(protocolType) && candidateProtocols().stream().anyMatch(names::contains);
    }

    /** Each member votes for its most preferred protocol among those all members support; the most votes wins (Kafka's rule). */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicMember member : members.values()) {
            member.protocols.keySet().stream().filter(candidates::contains).findFirst().ifPresent(p -> votes.merge(p, 1, Integer::sum));
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("no protocol common to all members of " + groupId));
    }

    boolean hasAllMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(ClassicMember::isAwaitingJoin);
    }

    int maxRebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }

    @Override
    public boolean isSubscribedTo(String topic) {
        if (!"consumer".equals(protocolType) || protocolName == null) {
            return false;
        }
        for (ClassicMember member : members.values()) {
            try {
                if (ConsumerProtocol.deserializeSubscription(java.nio.ByteBuffer.wrap(member.metadata(protocolName))).topics().contains(topic)) {
                    return true;
                }
            } catch (RuntimeException unparseable) {
                return true; // cannot tell: err on the side of keeping the offsets
            }
        }
        return false;
    }
}
