package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;

/** The group administration APIs: list, describe, delete groups and delete offsets. Thread-safe (through the coordinator). */
public final class GroupAdmin {
    private final GroupCoordinator coordinator;

    GroupAdmin(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Groups of every loaded shard matching the filters (empty filter: all; compared case-insensitively, as Kafka does). */
    public ListGroupsResponseData listGroups(List<String> statesFilter, List<String> typesFilter, short version) {
        Set<String> states = statesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> types = typesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
        if (coordinator.anyShardLoading()) {
            response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        }
        for (Group group : coordinator.groups()) {
            if ((!states.isEmpty() && !states.contains(group.stateName().toLowerCase(Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(group.type()))) {
                continue;
            }
            ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup().setGroupId(group.groupId())
                    .setProtocolType(group.protocolType());
            if (version >= 4) {
                listed.setGroupState(group.stateName());
            }
            if (version >= 5) {
                listed.setGroupType(group.type());
            }
            response.groups().add(listed);
        }
        return response;
    }

    public CompletableFuture<DescribeGroupsResponseData.DescribedGroup> describeGroup(String groupId, short version) {
        return coordinator.inShard(groupId, e -> describeError(groupId, e, null), shard -> {
            Group group = shard.state().groups.get(groupId);
            if (group == null) {
                return CompletableFuture.completedFuture(version >= 6
                        ? describeError(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " not found.")
                        : describeError(groupId, Errors.NONE, null).setGroupState(ClassicGroupState.DEAD.wireName()));
            }
            if (!(group instanceof ClassicGroup classic)) {
                return CompletableFuture.completedFuture(version >= 6
                        ? describeError(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a classic group.")
                        : describeError(groupId, Errors.NONE, null).setGroupState(ClassicGroupState.DEAD.wireName()));
            }
            DescribeGroupsResponseData.DescribedGroup out = new DescribeGroupsResponseData.DescribedGroup()
                    .setGroupId(groupId).setErrorCode(Errors.NONE.code())
                    .setGroupState(classic.stateName())
                    .setProtocolType(classic.protocolType())
                    .setProtocolData(classic.protocolName == null ? "" : classic.protocolName);
            boolean stable = classic.is(ClassicGroupState.STABLE);
            for (ClassicMember m : classic.members.values()) {
                DescribeGroupsResponseData.DescribedGroupMember member = new DescribeGroupsResponseData.DescribedGroupMember()
                        .setMemberId(m.memberId).setClientId(m.clientId).setClientHost(m.clientHost)
                        .setMemberMetadata(classic.protocolName == null ? new byte[0] : m.metadata(classic.protocolName))
                        .setMemberAssignment(stable ? m.assignment : new byte[0]);
                if (version >= 4) {
                    member.setGroupInstanceId(m.instanceId);
                }
                out.members().add(member);
            }
            return CompletableFuture.completedFuture(out);
        });
    }

    private static DescribeGroupsResponseData.DescribedGroup describeError(String groupId, Errors error, String message) {
        DescribeGroupsResponseData.DescribedGroup out = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setGroupState("").setProtocolType("").setProtocolData("");
        if (message != null) {
            out.setErrorMessage(message);
        }
        return out;
    }

    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(String groupId, short version) {
        return coordinator.inShard(groupId, e -> cgdError(groupId, e, null), shard -> {
            Group group = shard.state().groups.get(groupId);
            if (group == null) {
                return CompletableFuture.completedFuture(cgdError(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " not found."));
            }
            if (!(group instanceof ConsumerGroup cg)) {
                return CompletableFuture.completedFuture(cgdError(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group."));
            }
            ConsumerGroupDescribeResponseData.DescribedGroup out = new ConsumerGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(groupId).setErrorCode(Errors.NONE.code())
                    .setGroupState(cg.stateName()).setGroupEpoch(cg.groupEpoch).setAssignmentEpoch(cg.assignmentEpoch)
                    .setAssignorName(cg.assignorName == null ? coordinator.config().defaultAssignor() : cg.assignorName);
            for (ConsumerMember m : cg.members.values()) {
                ConsumerGroupDescribeResponseData.Member member = new ConsumerGroupDescribeResponseData.Member()
                        .setMemberId(m.memberId).setInstanceId(m.instanceId).setRackId(m.rackId).setMemberEpoch(m.memberEpoch)
                        .setClientId(m.clientId == null ? "" : m.clientId).setClientHost(m.clientHost == null ? "" : m.clientHost)
                        .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames)).setSubscribedTopicRegex(m.subscribedTopicRegex)
                        .setAssignment(assignment(m.assigned))
                        .setTargetAssignment(assignment(cg.targetAssignment.getOrDefault(m.memberId, Map.of())));
                if (version >= 1) {
                    member.setMemberType((byte) 1); // 1 = a consumer-protocol member (0 would be a classic member in a consumer group)
                }
                out.members().add(member);
            }
            return CompletableFuture.completedFuture(out);
        });
    }

    private ConsumerGroupDescribeResponseData.Assignment assignment(Map<Uuid, Set<Integer>> partitions) {
        ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        new TreeMap<>(partitions).forEach((id, parts) -> {
            String name = coordinator.topics().nameOf(id);
            if (name != null) {
                out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id).setTopicName(name)
                        .setPartitions(new ArrayList<>(new TreeSet<>(parts))));
            }
        });
        return out;
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup cgdError(String groupId, Errors error, String message) {
        return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setErrorMessage(message).setGroupState("").setAssignorName("");
    }

    public CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult> deleteGroup(String groupId) {
        return coordinator.inShard(groupId, e -> new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId).setErrorCode(e.code()), shard -> {
            DeleteGroupsResponseData.DeletableGroupResult result = new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId);
            Group group = shard.state().groups.get(groupId);
            if (group == null) {
                return CompletableFuture.completedFuture(result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
            }
            if (!group.isEmpty()) {
                return CompletableFuture.completedFuture(result.setErrorCode(Errors.NON_EMPTY_GROUP.code()));
            }
            List<RecordSets.KeyValue> tombstones = new ArrayList<>();
            shard.state().offsets.getOrDefault(groupId, Map.of()).keySet()
                    .forEach(tp -> tombstones.add(new RecordSets.KeyValue(CoordinatorRecords.offsetKey(groupId, tp), null)));
            short type = group instanceof ClassicGroup ? CoordinatorRecords.CLASSIC_GROUP : CoordinatorRecords.CONSUMER_GROUP;
            tombstones.add(new RecordSets.KeyValue(CoordinatorRecords.groupKey(type, groupId), null));
            shard.state().append(tombstones);
            shard.state().offsets.remove(groupId);
            shard.state().groups.remove(groupId);
            GroupCoordinator.abandon(group, Errors.GROUP_ID_NOT_FOUND);
            if (group instanceof ClassicGroup classic) {
                classic.transitionTo(ClassicGroupState.DEAD, shard.state().now());
            } else {
                ((ConsumerGroup) group).dead = true;
            }
            return CompletableFuture.completedFuture(result.setErrorCode(Errors.NONE.code()));
        });
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return coordinator.inShard(request.groupId(), e -> new OffsetDeleteResponseData().setErrorCode(e.code()), shard -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData().setErrorCode(Errors.NONE.code());
            Group group = shard.state().groups.get(request.groupId());
            if (group == null) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
            }
            List<TopicPartition> deletable = new ArrayList<>();
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic out = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
                boolean subscribed = !group.isEmpty() && group.isSubscribedTo(topic.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
                    Errors error = subscribed ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
                    if (!subscribed) {
                        deletable.add(new TopicPartition(topic.name(), p.partitionIndex()));
                    }
                    out.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(error.code()));
                }
                response.topics().add(out);
            }
            shard.offsets().delete(request.groupId(), deletable);
            return CompletableFuture.completedFuture(response);
        });
    }
}
