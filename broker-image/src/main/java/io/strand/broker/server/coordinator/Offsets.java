package io.strand.broker.server.coordinator;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.coordinator.CoordinatorRecords.CommittedOffset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Committed offsets of the groups of one shard: commit, fetch and expiry. Every method runs with the shard's lock held. */
final class Offsets {
    private static final Logger LOG = LoggerFactory.getLogger(Offsets.class);

    private final CoordinatorShard shard;
    private final ClassicGroups classic;
    private final TopicsView topics;

    Offsets(CoordinatorShard shard, ClassicGroups classic, TopicsView topics) {
        this.shard = shard;
        this.classic = classic;
        this.topics = topics;
    }

    /** Whether this member may commit (or, for an admin or simple consumer, whether the group has no members). */
    Errors validateCommit(Group group, String memberId, String instanceId, int generationOrEpoch, short version) {
        if (group == null) {
            return generationOrEpoch < 0 && memberId.isEmpty() ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        if (group instanceof ClassicGroup cg) {
            if (generationOrEpoch >= 0 || !memberId.isEmpty() || instanceId != null) {
                Errors error = classic.validateMember(cg, memberId, instanceId, generationOrEpoch);
                if (error == Errors.NONE && cg.is(ClassicGroupState.COMPLETING_REBALANCE)) {
                    return Errors.REBALANCE_IN_PROGRESS;
                }
                return error;
            }
            return cg.isEmpty() ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        ConsumerGroup cg = (ConsumerGroup) group;
        if (generationOrEpoch < 0 && memberId.isEmpty()) {
            return cg.isEmpty() ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        return validateEpoch(cg, memberId, generationOrEpoch, version >= 9 ? Errors.STALE_MEMBER_EPOCH : Errors.ILLEGAL_GENERATION);
    }

    private static Errors validateEpoch(ConsumerGroup group, String memberId, int epoch, Errors stale) {
        ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (epoch > member.memberEpoch) {
            return Errors.FENCED_MEMBER_EPOCH;
        }
        // The previous epoch is still accepted: a member commits what it consumed before acknowledging a revocation.
        return epoch == member.memberEpoch || epoch == member.previousMemberEpoch ? Errors.NONE : stale;
    }

    /** Commits offsets; the response is sent once the records are committed to every in-sync replica. */
    CompletableFuture<OffsetCommitResponseData> commit(Group group, OffsetCommitRequestData request, short version) throws IOException {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        Errors groupError = validateCommit(group, request.memberId(), request.groupInstanceId(), request.generationIdOrMemberEpoch(), version);
        long now = shard.now();
        List<RecordSets.KeyValue> records = new ArrayList<>();
        Map<TopicPartition, CommittedOffset> committed = new HashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic out = new OffsetCommitResponseData.OffsetCommitResponseTopic();
            String name = topic.name();
            if (version >= 10) {
                out.setTopicId(topic.topicId());
                name = topics.nameOf(topic.topicId());
            } else {
                out.setName(topic.name());
            }
            response.topics().add(out);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                Errors error = groupError;
                if (error == Errors.NONE && name == null) {
                    error = Errors.UNKNOWN_TOPIC_ID;
                }
                String metadata = p.committedMetadata();
                if (error == Errors.NONE && metadata != null && metadata.getBytes(StandardCharsets.UTF_8).length > shard.config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                out.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                if (error == Errors.NONE) {
                    TopicPartition tp = new TopicPartition(name, p.partitionIndex());
                    CommittedOffset offset = new CommittedOffset(p.committedOffset(), version >= 6 ? p.committedLeaderEpoch() : -1,
                            metadata == null ? "" : metadata, now);
                    committed.put(tp, offset);
                    records.add(new RecordSets.KeyValue(CoordinatorRecords.offsetKey(request.groupId(), tp), CoordinatorRecords.offsetValue(offset)));
                }
            }
        }
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        CompletableFuture<Void> durable = shard.append(records); // before anything is visible or acknowledged
        shard.offsets.computeIfAbsent(request.groupId(), g -> new HashMap<>()).putAll(committed);
        shard.groups.computeIfAbsent(request.groupId(), id -> new ClassicGroup(id, now));
        // leadership moved before the ISR had the commit: the client retries with the new coordinator
        return durable.handle((v, error) -> error == null ? response : OffsetResponses.commitError(request, version, Errors.NOT_COORDINATOR));
    }

    /** OffsetFetch for one group, in the v8+ shape (the handler adapts older versions). */
    OffsetFetchResponseData.OffsetFetchResponseGroup fetch(Group group, OffsetFetchRequestData.OffsetFetchRequestGroup request, short version) {
        OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(request.groupId());
        if (group instanceof ConsumerGroup cg && request.memberId() != null) {
            Errors error = validateEpoch(cg, request.memberId(), request.memberEpoch(), Errors.STALE_MEMBER_EPOCH);
            if (error != Errors.NONE) {
                return out.setErrorCode(error.code());
            }
        }
        Map<TopicPartition, CommittedOffset> committed = shard.offsets.getOrDefault(request.groupId(), Map.of());
        boolean ids = version >= 10;
        if (request.topics() == null) {
            Map<String, List<Map.Entry<TopicPartition, CommittedOffset>>> byTopic = new TreeMap<>();
            committed.entrySet().forEach(e -> byTopic.computeIfAbsent(e.getKey().topic(), t -> new ArrayList<>()).add(e));
            byTopic.forEach((name, entries) -> {
                OffsetFetchResponseData.OffsetFetchResponseTopics topic = new OffsetFetchResponseData.OffsetFetchResponseTopics();
                if (ids) {
                    ConsumerGroup.TopicMetadata metadata = topics.topic(name);
                    if (metadata == null) {
                        return; // a v10 client can only be told about topics that still have an id
                    }
                    topic.setTopicId(metadata.id());
                } else {
                    topic.setName(name);
                }
                entries.sort(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(TopicPartition::partition)));
                entries.forEach(e -> topic.partitions().add(partition(e.getKey().partition(), e.getValue(), version)));
                out.topics().add(topic);
            });
            return out;
        }
        for (OffsetFetchRequestData.OffsetFetchRequestTopics requested : request.topics()) {
            OffsetFetchResponseData.OffsetFetchResponseTopics topic = new OffsetFetchResponseData.OffsetFetchResponseTopics();
            String name = requested.name();
            if (ids) {
                topic.setTopicId(requested.topicId());
                name = topics.nameOf(requested.topicId());
            } else {
                topic.setName(name);
            }
            for (int p : requested.partitionIndexes()) {
                if (name == null) {
                    topic.partitions().add(partition(p, null, version).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                } else {
                    topic.partitions().add(partition(p, committed.get(new TopicPartition(name, p)), version));
                }
            }
            out.topics().add(topic);
        }
        return out;
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions partition(int index, CommittedOffset offset, short version) {
        OffsetFetchResponseData.OffsetFetchResponsePartitions out = new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                .setPartitionIndex(index)
                .setCommittedOffset(offset == null ? -1 : offset.offset())
                .setMetadata(offset == null ? "" : offset.metadata())
                .setErrorCode(Errors.NONE.code());
        if (version >= 5) {
            out.setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch());
        }
        return out;
    }

    /** Tombstones for the given offsets of a group, applied after they are written. */
    void delete(String groupId, List<TopicPartition> partitions) throws IOException {
        Map<TopicPartition, CommittedOffset> committed = shard.offsets.get(groupId);
        if (committed == null) {
            return;
        }
        List<RecordSets.KeyValue> tombstones = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (committed.containsKey(tp)) {
                tombstones.add(new RecordSets.KeyValue(CoordinatorRecords.offsetKey(groupId, tp), null));
            }
        }
        shard.append(tombstones);
        partitions.forEach(committed::remove);
        if (committed.isEmpty()) {
            shard.offsets.remove(groupId);
        }
    }

    /** Removes offsets of groups that have been empty for offsets.retention.ms, and then such groups left with no offsets. */
    List<String> expire() {
        long now = shard.now();
        long retention = shard.config.offsetsRetentionMs();
        List<String> emptied = new ArrayList<>();
        for (Group group : new ArrayList<>(shard.groups.values())) {
            if (!group.isEmpty() || !(group.stateName().equals("Empty"))) {
                continue;
            }
            Map<TopicPartition, CommittedOffset> committed = shard.offsets.getOrDefault(group.groupId(), Map.of());
            List<TopicPartition> expired = new ArrayList<>();
            committed.forEach((tp, offset) -> {
                if (now - Math.max(offset.commitTimestamp(), group.stateTimestamp()) >= retention) {
                    expired.add(tp);
                }
            });
            try {
                delete(group.groupId(), expired);
            } catch (IOException e) {
                LOG.warn("Could not expire offsets of group {}", group.groupId(), e);
                continue;
            }
            if (!expired.isEmpty()) {
                LOG.info("Expired {} offset(s) of group {}", expired.size(), group.groupId());
            }
            if (!shard.offsets.containsKey(group.groupId()) && now - group.stateTimestamp() >= retention) {
                emptied.add(group.groupId());
            }
        }
        return emptied;
    }
}
