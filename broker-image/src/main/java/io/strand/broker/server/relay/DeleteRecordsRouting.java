package io.strand.broker.server.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.Errors;

/** DeleteRecords (Admin#deleteRecords), which only a partition's leader serves. */
final class DeleteRecordsRouting implements Routing<DeleteRecordsRequestData, DeleteRecordsResponseData> {
    @Override
    public Map<Integer, DeleteRecordsRequestData> split(DeleteRecordsRequestData request, int self, LeaderLookup leaders) {
        Map<Integer, DeleteRecordsRequestData> legs = new LinkedHashMap<>();
        Map<Integer, Map<String, DeleteRecordsRequestData.DeleteRecordsTopic>> topics = new HashMap<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.topics()) {
            for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
                int target = leaders.target(self, topic.name(), null, partition.partitionIndex());
                DeleteRecordsRequestData leg = legs.computeIfAbsent(target,
                        t -> new DeleteRecordsRequestData().setTimeoutMs(request.timeoutMs()).setTopics(new ArrayList<>()));
                topics.computeIfAbsent(target, t -> new HashMap<>()).computeIfAbsent(topic.name(), k -> {
                    DeleteRecordsRequestData.DeleteRecordsTopic copy = new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic.name());
                    leg.topics().add(copy);
                    return copy;
                }).partitions().add(partition);
            }
        }
        return legs;
    }

    @Override
    public DeleteRecordsResponseData merge(DeleteRecordsRequestData request, List<DeleteRecordsResponseData> answers) {
        Map<String, DeleteRecordsResponseData.DeleteRecordsPartitionResult> answered = new HashMap<>();
        for (DeleteRecordsResponseData answer : answers) {
            for (DeleteRecordsResponseData.DeleteRecordsTopicResult topic : answer.topics()) {
                topic.partitions().forEach(p -> answered.put(topic.name() + "/" + p.partitionIndex(), p));
            }
        }
        DeleteRecordsResponseData merged = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult out = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult p = answered.get(topic.name() + "/" + partition.partitionIndex());
                // a fresh element: the answer's own belongs to the answer's collection
                out.partitions().add(new DeleteRecordsResponseData.DeleteRecordsPartitionResult().setPartitionIndex(partition.partitionIndex())
                        .setLowWatermark(p == null ? -1 : p.lowWatermark())
                        .setErrorCode(p == null ? Errors.NOT_LEADER_OR_FOLLOWER.code() : p.errorCode()));
            }
            merged.topics().add(out);
        }
        return merged;
    }
}
