package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group protocol (KIP-848) over the groups of one shard. A heartbeat updates the member, bumps the
 * group epoch when membership, subscriptions or subscribed topics' partition counts change, recomputes the target
 * assignment with the server-side assignor, then moves the member towards its target: partitions are first revoked
 * (the member's epoch stays until it acknowledges by listing what it still owns) and only then handed to their new
 * owner. Every method runs with the shard's lock held.
 */
final class ConsumerGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroups.class);

    private final CoordinatorShard shard;
    private final TopicsView topics;

    ConsumerGroups(CoordinatorShard shard, TopicsView topics) {
        this.shard = shard;
        this.topics = topics;
    }

    /** A rejected heartbeat: the error and the message the client logs. */
    static final class Rejected extends Exception {
        final Errors error;

        Rejected(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroup group, ConsumerGroupHeartbeatRequestData request, String clientId, String clientHost)
            throws Rejected, IOException {
        validate(request);
        int epoch = request.memberEpoch();
        if (epoch < 0) {
            return leave(group, request);
        }
        boolean bump = false;
        ConsumerMember member;
        Map<Uuid, Set<Integer>> owned = request.topicPartitions() == null ? null : toMap(request.topicPartitions());
        if (epoch == 0) {
            String memberId = request.memberId().isEmpty() ? Uuid.randomUuid().toString() : request.memberId();
            member = group.members.get(memberId);
            ConsumerMember previousStatic = group.staticMember(request.instanceId());
            if (previousStatic != null && previousStatic != member) {
                if (previousStatic.memberEpoch != ConsumerMember.LEFT_STATIC_EPOCH) {
                    throw new Rejected(Errors.UNRELEASED_INSTANCE_ID, "static member " + request.instanceId() + " is still in use by member " + previousStatic.memberId);
                }
                member = takeOver(group, previousStatic, memberId);
            } else if (member == null) {
                member = new ConsumerMember(memberId);
                group.members.put(memberId, member);
                bump = true;
            } else {
                // A member that was fenced rejoins having released everything.
                member.assigned = Map.of();
                member.pendingRevocation = Map.of();
                member.state = ConsumerMember.State.STABLE;
                member.memberEpoch = 0;
            }
        } else {
            member = group.members.get(request.memberId());
            if (member == null) {
                throw new Rejected(Errors.UNKNOWN_MEMBER_ID, "member " + request.memberId() + " is not in group " + group.groupId());
            }
            if (epoch != member.memberEpoch) {
                boolean lostResponse = epoch == member.previousMemberEpoch && owned != null && contains(member.assigned, owned);
                if (!lostResponse) {
                    throw new Rejected(Errors.FENCED_MEMBER_EPOCH, "member epoch " + epoch + " is not the current epoch " + member.memberEpoch);
                }
            }
        }
        bump |= update(member, request, clientId, clientHost);
        Map<String, ConsumerGroup.TopicMetadata> metadata = subscriptionMetadata(group);
        if (!metadata.equals(group.subscriptionMetadata)) {
            group.subscriptionMetadata = metadata;
            bump = true;
        }
        if (bump) {
            group.groupEpoch++;
        }
        if (group.groupEpoch > group.assignmentEpoch) {
            computeTargetAssignment(group);
        }
        reconcile(group, member, owned);
        resetSessionTimer(group, member);
        persist(group);

        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setErrorCode(Errors.NONE.code())
                .setMemberId(member.memberId)
                .setMemberEpoch(member.memberEpoch)
                .setHeartbeatIntervalMs(shard.config.consumerHeartbeatIntervalMs());
        boolean full = epoch == 0 || (owned != null && !owned.equals(member.assigned));
        if (full || !member.assigned.equals(member.lastSentAssignment)) {
            ConsumerGroupHeartbeatResponseData.Assignment assignment = new ConsumerGroupHeartbeatResponseData.Assignment();
            new TreeMap<>(member.assigned).forEach((topic, parts) -> assignment.topicPartitions().add(
                    new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(topic).setPartitions(new ArrayList<>(new TreeSet<>(parts)))));
            response.setAssignment(assignment);
            member.lastSentAssignment = member.assigned;
        }
        return response;
    }

    private void validate(ConsumerGroupHeartbeatRequestData request) throws Rejected {
        int epoch = request.memberEpoch();
        if (epoch < ConsumerMember.LEFT_STATIC_EPOCH) {
            throw new Rejected(Errors.INVALID_REQUEST, "MemberEpoch " + epoch + " is invalid.");
        }
        if (epoch == ConsumerMember.LEFT_STATIC_EPOCH && request.instanceId() == null) {
            throw new Rejected(Errors.INVALID_REQUEST, "InstanceId can't be null when MemberEpoch is -2.");
        }
        if (epoch != 0 && request.memberId().isEmpty()) {
            throw new Rejected(Errors.UNKNOWN_MEMBER_ID, "MemberId can't be empty.");
        }
        if (epoch == 0 && request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
            throw new Rejected(Errors.INVALID_REQUEST, "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
        }
        if (request.serverAssignor() != null && !shard.config.consumerAssignors().contains(request.serverAssignor())) {
            throw new Rejected(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + request.serverAssignor() + " is not supported; supported: "
                    + shard.config.consumerAssignors());
        }
        if (request.subscribedTopicRegex() != null && !request.subscribedTopicRegex().isEmpty()) {
            try {
                Pattern.compile(request.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                throw new Rejected(Errors.INVALID_REGULAR_EXPRESSION, "SubscribedTopicRegex is not a valid regular expression: " + e.getDescription());
            }
        }
    }

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroup group, ConsumerGroupHeartbeatRequestData request) throws Rejected, IOException {
        ConsumerMember member = group.members.get(request.memberId());
        if (member == null && request.instanceId() != null) {
            member = group.staticMember(request.instanceId());
        }
        if (member == null) {
            throw new Rejected(Errors.UNKNOWN_MEMBER_ID, "member " + request.memberId() + " is not in group " + group.groupId());
        }
        if (request.memberEpoch() == ConsumerMember.LEFT_STATIC_EPOCH) {
            // Kept, assignment and all, for the session timeout: the same instance coming back takes it over without a rebalance.
            if (member.memberEpoch != ConsumerMember.LEFT_STATIC_EPOCH) {
                member.previousMemberEpoch = member.memberEpoch;
                member.memberEpoch = ConsumerMember.LEFT_STATIC_EPOCH;
            }
            LOG.info("Static member {} ({}) of group {} left temporarily", member.instanceId, member.memberId, group.groupId());
        } else {
            LOG.info("Member {} left group {}", member.memberId, group.groupId());
            remove(group, member);
        }
        persist(group);
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.NONE.code()).setMemberId(member.memberId)
                .setMemberEpoch(request.memberEpoch()).setHeartbeatIntervalMs(0);
    }

    private ConsumerMember takeOver(ConsumerGroup group, ConsumerMember old, String memberId) {
        ConsumerMember member = new ConsumerMember(memberId);
        member.instanceId = old.instanceId;
        member.rackId = old.rackId;
        member.subscribedTopicNames = old.subscribedTopicNames;
        member.subscribedTopicRegex = old.subscribedTopicRegex;
        member.serverAssignor = old.serverAssignor;
        member.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
        member.memberEpoch = old.previousMemberEpoch;
        member.previousMemberEpoch = old.previousMemberEpoch;
        member.state = old.state;
        member.assigned = old.assigned;
        member.pendingRevocation = old.pendingRevocation;
        cancelTimers(old);
        group.members.remove(old.memberId);
        group.members.put(memberId, member);
        Map<Uuid, Set<Integer>> target = group.targetAssignment.remove(old.memberId);
        group.targetAssignment.put(memberId, target == null ? Map.of() : target);
        LOG.info("Static member {} of group {} came back as {}", member.instanceId, group.groupId(), memberId);
        return member;
    }

    /** Applies the fields a heartbeat carries when they changed; true when the subscription changed. */
    private static boolean update(ConsumerMember member, ConsumerGroupHeartbeatRequestData request, String clientId, String clientHost) {
        member.clientId = clientId;
        member.clientHost = clientHost;
        if (request.instanceId() != null) {
            member.instanceId = request.instanceId();
        }
        if (request.rackId() != null) {
            member.rackId = request.rackId();
        }
        if (request.rebalanceTimeoutMs() > 0) {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        if (request.serverAssignor() != null) {
            member.serverAssignor = request.serverAssignor();
        }
        boolean changed = false;
        if (request.subscribedTopicNames() != null && !request.subscribedTopicNames().equals(member.subscribedTopicNames)) {
            member.subscribedTopicNames = List.copyOf(request.subscribedTopicNames());
            changed = true;
        }
        if (request.subscribedTopicRegex() != null) {
            String regex = request.subscribedTopicRegex().isEmpty() ? null : request.subscribedTopicRegex();
            changed |= !Objects.equals(regex, member.subscribedTopicRegex);
            member.subscribedTopicRegex = regex;
        }
        return changed;
    }

    /** The topics the member subscribes to that exist: its names plus what its regex matches (internal topics excluded). */
    private Set<String> subscribedTopics(ConsumerMember member) {
        Set<String> names = new HashSet<>(member.subscribedTopicNames);
        if (member.subscribedTopicRegex != null) {
            Pattern pattern = Pattern.compile(member.subscribedTopicRegex);
            for (String name : topics.names()) {
                if (!Topic.isInternal(name) && pattern.matcher(name).matches()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private Map<String, ConsumerGroup.TopicMetadata> subscriptionMetadata(ConsumerGroup group) {
        Map<String, ConsumerGroup.TopicMetadata> metadata = new TreeMap<>();
        for (ConsumerMember member : group.members.values()) {
            for (String name : subscribedTopics(member)) {
                ConsumerGroup.TopicMetadata topic = topics.topic(name);
                if (topic != null) {
                    metadata.put(name, topic);
                }
            }
        }
        return metadata;
    }

    private void computeTargetAssignment(ConsumerGroup group) {
        Map<String, Integer> votes = new HashMap<>();
        group.members.values().forEach(m -> {
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        });
        String assignor = votes.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse(shard.config.defaultAssignor());
        Map<String, Set<Uuid>> subscriptions = new HashMap<>();
        for (ConsumerMember member : group.members.values()) {
            Set<Uuid> ids = new HashSet<>();
            for (String name : subscribedTopics(member)) {
                ConsumerGroup.TopicMetadata topic = group.subscriptionMetadata.get(name);
                if (topic != null) {
                    ids.add(topic.id());
                }
            }
            subscriptions.put(member.memberId, ids);
        }
        Map<Uuid, Integer> counts = new HashMap<>();
        group.subscriptionMetadata.values().forEach(t -> counts.put(t.id(), t.partitions()));
        group.targetAssignment = Assignors.assign(assignor, subscriptions, counts, group.targetAssignment);
        group.assignmentEpoch = group.groupEpoch;
        group.assignorName = assignor;
        LOG.info("Group {} epoch {}: new target assignment by the {} assignor for {} member(s)", group.groupId(), group.groupEpoch, assignor,
                group.members.size());
    }

    /** Moves the member one step towards its target assignment (revoke first, then take what other members released). */
    private void reconcile(ConsumerGroup group, ConsumerMember member, Map<Uuid, Set<Integer>> owned) {
        Map<Uuid, Set<Integer>> target = group.targetAssignment.getOrDefault(member.memberId, Map.of());
        if (member.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
            if (owned != null && !intersects(owned, member.pendingRevocation)) {
                member.pendingRevocation = Map.of();
                cancel(member.revocationTimer);
                member.revocationTimer = null;
            } else {
                Map<Uuid, Set<Integer>> more = minus(member.assigned, target);
                if (!more.isEmpty()) {
                    member.pendingRevocation = union(member.pendingRevocation, more);
                    member.assigned = intersect(member.assigned, target);
                }
                return;
            }
        }
        Map<Uuid, Set<Integer>> toRevoke = minus(member.assigned, target);
        if (!toRevoke.isEmpty()) {
            member.assigned = intersect(member.assigned, target);
            member.pendingRevocation = toRevoke;
            member.state = ConsumerMember.State.UNREVOKED_PARTITIONS;
            int timeout = member.rebalanceTimeoutMs > 0 ? member.rebalanceTimeoutMs : shard.config.consumerSessionTimeoutMs();
            cancel(member.revocationTimer);
            member.revocationTimer = shard.schedule(timeout, () -> revocationExpired(group, member));
            return;
        }
        Map<Uuid, Map<Integer, String>> owners = group.currentOwners();
        Map<Uuid, Set<Integer>> next = copy(member.assigned);
        boolean complete = true;
        for (var entry : minus(target, member.assigned).entrySet()) {
            for (int p : entry.getValue()) {
                String owner = owners.getOrDefault(entry.getKey(), Map.of()).get(p);
                if (owner == null || owner.equals(member.memberId)) {
                    next.computeIfAbsent(entry.getKey(), t -> new TreeSet<>()).add(p);
                } else {
                    complete = false;
                }
            }
        }
        member.assigned = freeze(next);
        member.state = complete ? ConsumerMember.State.STABLE : ConsumerMember.State.UNRELEASED_PARTITIONS;
        if (member.memberEpoch != group.assignmentEpoch) {
            member.previousMemberEpoch = member.memberEpoch;
            member.memberEpoch = group.assignmentEpoch;
        }
    }

    private void revocationExpired(ConsumerGroup group, ConsumerMember member) {
        if (group.members.get(member.memberId) == member && member.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
            LOG.info("Member {} of group {} did not revoke its partitions within its rebalance timeout; fencing it", member.memberId, group.groupId());
            expire(group, member);
        }
    }

    private void resetSessionTimer(ConsumerGroup group, ConsumerMember member) {
        cancel(member.sessionTimer);
        member.sessionTimer = shard.schedule(shard.config.consumerSessionTimeoutMs(), () -> {
            if (group.members.get(member.memberId) == member) {
                LOG.info("Member {} of group {} has not sent a heartbeat within {} ms; removing it", member.memberId, group.groupId(),
                        shard.config.consumerSessionTimeoutMs());
                expire(group, member);
            }
        });
    }

    void startTimers(ConsumerGroup group) {
        group.members.values().forEach(m -> resetSessionTimer(group, m));
    }

    private void expire(ConsumerGroup group, ConsumerMember member) {
        remove(group, member);
        try {
            persist(group);
        } catch (IOException e) {
            LOG.warn("Could not store group {} after removing member {}", group.groupId(), member.memberId, e);
        }
    }

    private void remove(ConsumerGroup group, ConsumerMember member) {
        cancelTimers(member);
        group.members.remove(member.memberId);
        group.targetAssignment.remove(member.memberId);
        group.groupEpoch++;
        // Recompute right away so the partitions it held are offered to the others on their next heartbeat.
        group.subscriptionMetadata = subscriptionMetadata(group);
        computeTargetAssignment(group);
    }

    static void cancelTimers(ConsumerMember member) {
        cancel(member.sessionTimer);
        cancel(member.revocationTimer);
        member.sessionTimer = null;
        member.revocationTimer = null;
    }

    void persist(ConsumerGroup group) throws IOException {
        group.updateStateTimestamp(shard.now());
        byte[] value = CoordinatorRecords.consumerGroupValue(group);
        if (!Arrays.equals(value, group.lastPersisted)) {
            shard.append(List.of(new RecordSets.KeyValue(CoordinatorRecords.groupKey(CoordinatorRecords.CONSUMER_GROUP, group.groupId()), value)));
            group.lastPersisted = value;
        }
    }

    private static void cancel(java.util.concurrent.ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    static Map<Uuid, Set<Integer>> toMap(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> partitions) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        partitions.forEach(tp -> {
            if (!tp.partitions().isEmpty()) {
                out.computeIfAbsent(tp.topicId(), t -> new TreeSet<>()).addAll(tp.partitions());
            }
        });
        return freeze(out);
    }

    private static boolean contains(Map<Uuid, Set<Integer>> all, Map<Uuid, Set<Integer>> some) {
        return some.entrySet().stream().allMatch(e -> all.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue()));
    }

    private static boolean intersects(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        return a.entrySet().stream().anyMatch(e -> e.getValue().stream().anyMatch(b.getOrDefault(e.getKey(), Set.of())::contains));
    }

    static Map<Uuid, Set<Integer>> minus(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, parts) -> parts.stream().filter(p -> !b.getOrDefault(t, Set.of()).contains(p))
                .forEach(p -> out.computeIfAbsent(t, x -> new TreeSet<>()).add(p)));
        return freeze(out);
    }

    static Map<Uuid, Set<Integer>> intersect(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, parts) -> parts.stream().filter(b.getOrDefault(t, Set.of())::contains)
                .forEach(p -> out.computeIfAbsent(t, x -> new TreeSet<>()).add(p)));
        return freeze(out);
    }

    private static Map<Uuid, Set<Integer>> union(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> out = copy(a);
        b.forEach((t, parts) -> out.computeIfAbsent(t, x -> new TreeSet<>()).addAll(parts));
        return freeze(out);
    }

    private static Map<Uuid, Set<Integer>> copy(Map<Uuid, Set<Integer>> a) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, parts) -> out.put(t, new TreeSet<>(parts)));
        return out;
    }

    private static Map<Uuid, Set<Integer>> freeze(Map<Uuid, Set<Integer>> a) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, parts) -> {
            if (!parts.isEmpty()) {
                out.put(t, Set.copyOf(parts));
            }
        });
        return Map.copyOf(out);
    }
}
