package io.strand.broker.server.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;

/** ListOffsets (topics by name in every version). */
final class ListOffsetsRouting implements Routing<ListOffsetsRequestData, ListOffsetsResponseData> {
    @Override
    public Map<Integer, ListOffsetsRequestData> split(ListOffsetsRequestData request, int self, LeaderLookup leaders) {
        Map<Integer, ListOffsetsRequestData> legs = new LinkedHashMap<>();
        Map<Integer, Map<String, ListOffsetsRequestData.ListOffsetsTopic>> topics = new HashMap<>();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
                int target = leaders.target(self, topic.name(), null, partition.partitionIndex());
                ListOffsetsRequestData leg = legs.computeIfAbsent(target, t -> new ListOffsetsRequestData().setReplicaId(request.replicaId())
                        .setIsolationLevel(request.isolationLevel()).setTimeoutMs(request.timeoutMs()).setTopics(new ArrayList<>()));
                topics.computeIfAbsent(target, t -> new HashMap<>()).computeIfAbsent(topic.name(), k -> {
                    ListOffsetsRequestData.ListOffsetsTopic copy = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic.name());
                    leg.topics().add(copy);
                    return copy;
                }).partitions().add(partition);
            }
        }
        return legs;
    }

    @Override
    public ListOffsetsResponseData merge(ListOffsetsRequestData request, List<ListOffsetsResponseData> answers) {
        Map<String, ListOffsetsResponseData.ListOffsetsPartitionResponse> answered = new HashMap<>();
        for (ListOffsetsResponseData answer : answers) {
            for (ListOffsetsResponseData.ListOffsetsTopicResponse topic : answer.topics()) {
                topic.partitions().forEach(p -> answered.put(topic.name() + "/" + p.partitionIndex(), p));
            }
        }
        ListOffsetsResponseData merged = new ListOffsetsResponseData().setThrottleTimeMs(0);
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse out = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse p = answered.get(topic.name() + "/" + partition.partitionIndex());
                out.partitions().add(p != null ? p : new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                        .setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1));
            }
            merged.topics().add(out);
        }
        return merged;
    }
}
