package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) over the groups of one shard, following
 * Kafka's GroupCoordinator: the state machine of {@link ClassicGroupState}, coordinator-assigned member ids,
 * generations, the initial rebalance delay, rebalance and session timeouts and static membership. Every method runs
 * with the shard's lock held (the caller takes it; timers take it themselves).
 */
final class ClassicGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroups.class);

    private final CoordinatorShard shard;

    ClassicGroups(CoordinatorShard shard) {
        this.shard = shard;
    }

    record Client(String clientId, String clientHost) {
    }

    // ---------------------------------------------------------------- JoinGroup

    CompletableFuture<JoinGroupResponseData> join(ClassicGroup group, JoinGroupRequestData request, short version, Client client) {
        CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        request.protocols().forEach(p -> protocols.putIfAbsent(p.name(), p.metadata()));
        if (group.is(ClassicGroupState.DEAD)) {
            return completed(joinError(Errors.COORDINATOR_NOT_AVAILABLE, request.memberId()));
        }
        if (!group.supportsProtocols(request.protocolType(), protocols.keySet())) {
            return completed(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
        }
        String instanceId = request.groupInstanceId();
        if (request.memberId().isEmpty()) {
            String memberId = client.clientId() + "-" + UUID.randomUUID();
            ClassicMember member = new ClassicMember(memberId, instanceId, client.clientId(), client.clientHost(), rebalanceTimeout(request, version),
                    request.sessionTimeoutMs(), protocols);
            if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
                return replaceStaticMember(group, group.staticMembers.get(instanceId), member, request.protocolType(), version, future);
            }
            if (instanceId == null && version >= 4) {
                // KIP-394: the member must come back with this id, so a client that times out does not leave a ghost member.
                group.pendingMembers.put(memberId, shard.schedule(request.sessionTimeoutMs(), () -> group.pendingMembers.remove(memberId)));
                return completed(joinError(Errors.MEMBER_ID_REQUIRED, memberId));
            }
            addMemberAndRebalance(group, member, request.protocolType(), version, future);
            return future;
        }
        String memberId = request.memberId();
        if (instanceId != null) {
            String current = group.staticMembers.get(instanceId);
            if (current != null && !current.equals(memberId)) {
                return completed(joinError(Errors.FENCED_INSTANCE_ID, memberId));
            }
        }
        var pending = group.pendingMembers.remove(memberId);
        if (pending != null) {
            pending.cancel(false);
            ClassicMember member = new ClassicMember(memberId, instanceId, client.clientId(), client.clientHost(), rebalanceTimeout(request, version),
                    request.sessionTimeoutMs(), protocols);
            addMemberAndRebalance(group, member, request.protocolType(), version, future);
            return future;
        }
        ClassicMember member = group.member(memberId);
        if (member == null || group.is(ClassicGroupState.EMPTY)) {
            return completed(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, request, protocols, version, future);
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    future.complete(joinResponse(group, member.memberId, version, false));
                } else {
                    updateMemberAndRebalance(group, member, request, protocols, version, future);
                }
            }
            case STABLE -> {
                if (memberId.equals(group.leaderId) || !member.matches(protocols)) {
                    updateMemberAndRebalance(group, member, request, protocols, version, future);
                } else {
                    future.complete(joinResponse(group, member.memberId, version, false));
                }
            }
            default -> future.complete(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        resetSessionTimer(group, member);
        return future;
    }

    private static int rebalanceTimeout(JoinGroupRequestData request, short version) {
        return version >= 1 ? request.rebalanceTimeoutMs() : request.sessionTimeoutMs();
    }

    private void addMemberAndRebalance(ClassicGroup group, ClassicMember member, String protocolType, short version,
                                       CompletableFuture<JoinGroupResponseData> future) {
        group.add(member, protocolType);
        member.joinFuture = future;
        member.joinVersion = version;
        group.newMemberDuringDelay = true;
        resetSessionTimer(group, member);
        maybePrepareRebalance(group, "member " + member.memberId + " joined");
    }

    private void updateMemberAndRebalance(ClassicGroup group, ClassicMember member, JoinGroupRequestData request, Map<String, byte[]> protocols,
                                          short version, CompletableFuture<JoinGroupResponseData> future) {
        member.protocols = new LinkedHashMap<>(protocols);
        member.rebalanceTimeoutMs = rebalanceTimeout(request, version);
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        if (member.joinFuture != null && member.joinFuture != future) {
            member.joinFuture.complete(joinError(Errors.UNKNOWN_MEMBER_ID, member.memberId));
        }
        member.joinFuture = future;
        member.joinVersion = version;
        maybePrepareRebalance(group, "member " + member.memberId + " rejoined");
    }

    /**
     * A restarted static member (same group.instance.id, new member id) takes the old member's place. In a stable group
     * with unchanged metadata it keeps its assignment without a rebalance; otherwise the group rebalances.
     */
    private CompletableFuture<JoinGroupResponseData> replaceStaticMember(ClassicGroup group, String oldId, ClassicMember replacement, String protocolType,
                                                                          short version, CompletableFuture<JoinGroupResponseData> future) {
        ClassicMember old = group.member(oldId);
        ClassicMember member = old.withId(replacement.memberId, replacement.clientId, replacement.clientHost);
        member.rebalanceTimeoutMs = replacement.rebalanceTimeoutMs;
        member.sessionTimeoutMs = replacement.sessionTimeoutMs;
        boolean unchanged = old.matches(replacement.protocols);
        member.protocols = replacement.protocols;
        boolean wasLeader = oldId.equals(group.leaderId);
        swapMember(group, old, member);
        if (old.joinFuture != null) {
            old.joinFuture.complete(joinError(Errors.FENCED_INSTANCE_ID, oldId));
        }
        if (old.syncFuture != null) {
            old.syncFuture.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        }
        cancel(old);
        resetSessionTimer(group, member);
        if (group.is(ClassicGroupState.STABLE) && unchanged && (!wasLeader || version >= 9)) {
            try {
                persist(group);
            } catch (IOException e) {
                swapMember(group, member, old);
                cancel(member);
                resetSessionTimer(group, old);
                return completed(joinError(Errors.UNKNOWN_SERVER_ERROR, ""));
            }
            LOG.info("Static member {} of group {} rejoined as {} without a rebalance", member.instanceId, group.groupId(), member.memberId);
            // A returning leader is told to skip the assignment: SyncGroup hands back what it already has.
            return completed(joinResponse(group, member.memberId, version, wasLeader));
        }
        member.joinFuture = future;
        member.joinVersion = version;
        if (group.is(ClassicGroupState.PREPARING_REBALANCE)) {
            maybeCompleteJoin(group);
        } else {
            maybePrepareRebalance(group, "static member " + member.instanceId + " rejoined");
        }
        return future;
    }

    private static void swapMember(ClassicGroup group, ClassicMember out, ClassicMember in) {
        boolean leader = out.memberId.equals(group.leaderId);
        Map<String, ClassicMember> reordered = new LinkedHashMap<>();
        group.members.forEach((id, m) -> reordered.put(id.equals(out.memberId) ? in.memberId : id, id.equals(out.memberId) ? in : m));
        group.members.clear();
        group.members.putAll(reordered);
        if (in.instanceId != null) {
            group.staticMembers.put(in.instanceId, in.memberId);
        }
        if (leader) {
            group.leaderId = in.memberId;
        }
    }

    private void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.is(ClassicGroupState.STABLE) || group.is(ClassicGroupState.COMPLETING_REBALANCE) || group.is(ClassicGroupState.EMPTY)) {
            prepareRebalance(group, reason);
        } else if (group.is(ClassicGroupState.PREPARING_REBALANCE)) {
            maybeCompleteJoin(group);
        }
    }

    void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(ClassicGroupState.COMPLETING_REBALANCE)) {
            for (ClassicMember member : group.members.values()) {
                member.assignment = new byte[0];
                if (member.syncFuture != null) {
                    member.syncFuture.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                    member.syncFuture = null;
                }
            }
        }
        boolean initial = group.is(ClassicGroupState.EMPTY);
        group.transitionTo(ClassicGroupState.PREPARING_REBALANCE, shard.now());
        LOG.info("Preparing to rebalance group {} (generation {}): {}", group.groupId(), group.generationId, reason);
        cancelJoinTimer(group);
        int delay = shard.config.initialRebalanceDelayMs();
        if (initial && delay > 0) {
            // Let the other members of a starting application join before the first generation forms.
            group.initialDelayActive = true;
            group.newMemberDuringDelay = false;
            group.initialDelayRemainingMs = Math.max(0, group.maxRebalanceTimeoutMs() - delay);
            group.joinTimer = shard.schedule(delay, () -> initialDelayExpired(group));
            return;
        }
        group.joinTimer = shard.schedule(group.maxRebalanceTimeoutMs(), () -> completeJoin(group));
        maybeCompleteJoin(group);
    }

    private void initialDelayExpired(ClassicGroup group) {
        if (!group.is(ClassicGroupState.PREPARING_REBALANCE) || !group.initialDelayActive) {
            return;
        }
        if (group.newMemberDuringDelay && group.initialDelayRemainingMs > 0) {
            long next = Math.min(shard.config.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
            group.initialDelayRemainingMs -= next;
            group.newMemberDuringDelay = false;
            group.joinTimer = shard.schedule(next, () -> initialDelayExpired(group));
            return;
        }
        completeJoin(group);
    }

    private void maybeCompleteJoin(ClassicGroup group) {
        if (group.is(ClassicGroupState.PREPARING_REBALANCE) && !group.initialDelayActive && group.hasAllMembersJoined()) {
            completeJoin(group);
        }
    }

    /** Forms the next generation from the members that rejoined and answers their JoinGroup requests. */
    private void completeJoin(ClassicGroup group) {
        if (!group.is(ClassicGroupState.PREPARING_REBALANCE)) {
            return;
        }
        cancelJoinTimer(group);
        group.initialDelayActive = false;
        for (ClassicMember member : new ArrayList<>(group.members.values())) {
            if (!member.isAwaitingJoin() && member.instanceId == null) {
                LOG.info("Removing member {} from group {}: it did not rejoin within the rebalance timeout", member.memberId, group.groupId());
                cancel(member);
                group.remove(member.memberId);
            }
        }
        group.generationId++;
        if (group.members.isEmpty()) {
            group.protocolName = null;
            group.leaderId = null;
            group.transitionTo(ClassicGroupState.EMPTY, shard.now());
            try {
                persist(group);
            } catch (IOException e) {
                LOG.warn("Could not store the empty state of group {}", group.groupId(), e);
            }
            LOG.info("Group {} is empty at generation {}", group.groupId(), group.generationId);
            return;
        }
        group.protocolName = group.selectProtocol();
        ClassicMember leader = group.member(group.leaderId);
        if (leader == null || !leader.isAwaitingJoin()) {
            group.leaderId = group.members.values().stream().filter(ClassicMember::isAwaitingJoin).map(m -> m.memberId).findFirst()
                    .orElse(group.members.keySet().iterator().next());
        }
        group.transitionTo(ClassicGroupState.COMPLETING_REBALANCE, shard.now());
        LOG.info("Group {} formed generation {} with {} member(s), protocol {}", group.groupId(), group.generationId, group.members.size(), group.protocolName);
        for (ClassicMember member : group.members.values()) {
            if (member.joinFuture != null) {
                CompletableFuture<JoinGroupResponseData> future = member.joinFuture;
                member.joinFuture = null;
                future.complete(joinResponse(group, member.memberId, member.joinVersion, false));
            }
            resetSessionTimer(group, member);
        }
    }

    private JoinGroupResponseData joinResponse(ClassicGroup group, String memberId, short version, boolean skipAssignment) {
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId)
                .setProtocolName(group.protocolName)
                .setLeader(group.leaderId)
                .setMemberId(memberId);
        if (version >= 7) {
            response.setProtocolType(group.protocolType);
        }
        if (version >= 9) {
            response.setSkipAssignment(skipAssignment);
        }
        if (memberId.equals(group.leaderId)) {
            for (ClassicMember m : group.members.values()) {
                JoinGroupResponseData.JoinGroupResponseMember out = new JoinGroupResponseData.JoinGroupResponseMember()
                        .setMemberId(m.memberId).setMetadata(m.metadata(group.protocolName));
                if (version >= 5) {
                    out.setGroupInstanceId(m.instanceId);
                }
                response.members().add(out);
            }
        }
        return response;
    }

    static JoinGroupResponseData joinError(Errors error, String memberId) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1).setMemberId(memberId == null ? "" : memberId)
                .setProtocolName("").setLeader("");
    }

    // ---------------------------------------------------------------- SyncGroup

    CompletableFuture<SyncGroupResponseData> sync(ClassicGroup group, SyncGroupRequestData request, short version) {
        ClassicMember member = group.member(request.memberId());
        Errors error = validateMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE && version >= 5 && ((request.protocolType() != null && !request.protocolType().equals(group.protocolType))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName)))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error == Errors.NONE && group.is(ClassicGroupState.PREPARING_REBALANCE)) {
            error = Errors.REBALANCE_IN_PROGRESS;
        }
        if (error != Errors.NONE) {
            return completed(new SyncGroupResponseData().setErrorCode(error.code()));
        }
        resetSessionTimer(group, member);
        if (group.is(ClassicGroupState.STABLE)) {
            return completed(syncResponse(group, member, version));
        }
        CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
        if (member.syncFuture != null) {
            member.syncFuture.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
        }
        member.syncFuture = future;
        member.joinVersion = version;
        if (member.memberId.equals(group.leaderId)) {
            Map<String, byte[]> assignments = new LinkedHashMap<>();
            request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
            Map<String, byte[]> previous = new LinkedHashMap<>();
            group.members.values().forEach(m -> {
                previous.put(m.memberId, m.assignment);
                m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
            });
            try {
                persist(group);
            } catch (IOException e) {
                LOG.warn("Could not store the assignment of group {}; rebalancing", group.groupId(), e);
                group.members.values().forEach(m -> m.assignment = previous.getOrDefault(m.memberId, new byte[0]));
                prepareRebalance(group, "storing the assignment failed");
                return future;
            }
            group.transitionTo(ClassicGroupState.STABLE, shard.now());
            LOG.info("Group {} is stable at generation {}", group.groupId(), group.generationId);
            for (ClassicMember m : group.members.values()) {
                if (m.syncFuture != null) {
                    CompletableFuture<SyncGroupResponseData> waiting = m.syncFuture;
                    m.syncFuture = null;
                    waiting.complete(syncResponse(group, m, m.joinVersion));
                }
            }
        }
        return future;
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, ClassicMember member, short version) {
        SyncGroupResponseData response = new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setAssignment(member.assignment);
        if (version >= 5) {
            response.setProtocolType(group.protocolType).setProtocolName(group.protocolName);
        }
        return response;
    }

    /** The checks Heartbeat, SyncGroup and OffsetCommit share: a known member of this generation, not fenced. */
    Errors validateMember(ClassicGroup group, String memberId, String instanceId, int generationId) {
        if (group.is(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (instanceId != null) {
            String current = group.staticMembers.get(instanceId);
            if (current != null && !current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (group.member(memberId) == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    // ---------------------------------------------------------------- Heartbeat and LeaveGroup

    HeartbeatResponseData heartbeat(ClassicGroup group, HeartbeatRequestData request) {
        Errors error = validateMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE) {
            ClassicMember member = group.member(request.memberId());
            resetSessionTimer(group, member);
            if (group.is(ClassicGroupState.PREPARING_REBALANCE)) {
                error = Errors.REBALANCE_IN_PROGRESS;
            } else if (group.is(ClassicGroupState.EMPTY)) {
                error = Errors.UNKNOWN_MEMBER_ID;
            }
        }
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    LeaveGroupResponseData.MemberResponse leave(ClassicGroup group, LeaveGroupRequestData.MemberIdentity identity) {
        LeaveGroupResponseData.MemberResponse out = new LeaveGroupResponseData.MemberResponse()
                .setMemberId(identity.memberId()).setGroupInstanceId(identity.groupInstanceId());
        String memberId = identity.memberId();
        if (identity.groupInstanceId() != null) {
            String current = group.staticMembers.get(identity.groupInstanceId());
            if (current == null) {
                return out.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
            }
            if (!memberId.isEmpty() && !current.equals(memberId)) {
                return out.setErrorCode(Errors.FENCED_INSTANCE_ID.code());
            }
            memberId = current;
        }
        var pending = group.pendingMembers.remove(memberId);
        if (pending != null) {
            pending.cancel(false);
            maybeCompleteJoin(group);
            return out.setErrorCode(Errors.NONE.code());
        }
        ClassicMember member = group.member(memberId);
        if (member == null) {
            return out.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        LOG.info("Member {} left group {}{}", memberId, group.groupId(), identity.reason() == null ? "" : ": " + identity.reason());
        removeMember(group, member, "member " + memberId + " left");
        return out.setErrorCode(Errors.NONE.code());
    }

    private void removeMember(ClassicGroup group, ClassicMember member, String reason) {
        if (member.joinFuture != null) {
            member.joinFuture.complete(joinError(Errors.UNKNOWN_MEMBER_ID, member.memberId));
        }
        if (member.syncFuture != null) {
            member.syncFuture.complete(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
        cancel(member);
        group.remove(member.memberId);
        maybePrepareRebalance(group, reason);
    }

    // ---------------------------------------------------------------- timers and persistence

    private void resetSessionTimer(ClassicGroup group, ClassicMember member) {
        if (member.sessionTimer != null) {
            member.sessionTimer.cancel(false);
        }
        member.sessionTimer = shard.schedule(member.sessionTimeoutMs, () -> sessionExpired(group, member));
    }

    /** Starts session timers for members restored from the log: those that do not come back are removed. */
    void startTimers(ClassicGroup group) {
        group.members.values().forEach(m -> resetSessionTimer(group, m));
    }

    private void sessionExpired(ClassicGroup group, ClassicMember member) {
        if (group.member(member.memberId) != member) {
            return;
        }
        if (member.isAwaitingJoin() || member.syncFuture != null) {
            resetSessionTimer(group, member); // a member waiting for our answer is alive
            return;
        }
        LOG.info("Member {} of group {} has not sent a heartbeat within its session timeout of {} ms; removing it",
                member.memberId, group.groupId(), member.sessionTimeoutMs);
        removeMember(group, member, "member " + member.memberId + " expired");
    }

    private static void cancel(ClassicMember member) {
        if (member.sessionTimer != null) {
            member.sessionTimer.cancel(false);
            member.sessionTimer = null;
        }
    }

    private static void cancelJoinTimer(ClassicGroup group) {
        if (group.joinTimer != null) {
            group.joinTimer.cancel(false);
            group.joinTimer = null;
        }
    }

    /** Fails every waiting request of a group whose shard moves away, and stops its timers. */
    static void abandon(ClassicGroup group, Errors error) {
        cancelJoinTimer(group);
        group.pendingMembers.values().forEach(t -> t.cancel(false));
        for (ClassicMember member : group.members.values()) {
            cancel(member);
            if (member.joinFuture != null) {
                member.joinFuture.complete(joinError(error, member.memberId));
            }
            if (member.syncFuture != null) {
                member.syncFuture.complete(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
    }

    void persist(ClassicGroup group) throws IOException {
        shard.append(List.of(new RecordSets.KeyValue(CoordinatorRecords.groupKey(CoordinatorRecords.CLASSIC_GROUP, group.groupId()),
                CoordinatorRecords.classicGroupValue(group))));
    }

    private static <T> CompletableFuture<T> completed(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
