package io.strand.broker.server.relay;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.Errors;

/** OffsetForLeaderEpoch (consumers validating their position after a leader change; topics by name). */
final class EpochRouting implements Routing<OffsetForLeaderEpochRequestData, OffsetForLeaderEpochResponseData> {
    @Override
    public Map<Integer, OffsetForLeaderEpochRequestData> split(OffsetForLeaderEpochRequestData request, int self, LeaderLookup leaders) {
        Map<Integer, OffsetForLeaderEpochRequestData> legs = new LinkedHashMap<>();
        Map<Integer, Map<String, OffsetForLeaderEpochRequestData.OffsetForLeaderTopic>> topics = new HashMap<>();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.topics()) {
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
                int target = leaders.target(self, topic.topic(), null, partition.partition());
                OffsetForLeaderEpochRequestData leg = legs.computeIfAbsent(target,
                        t -> new OffsetForLeaderEpochRequestData().setReplicaId(request.replicaId()));
                topics.computeIfAbsent(target, t -> new HashMap<>()).computeIfAbsent(topic.topic(), k -> {
                    OffsetForLeaderEpochRequestData.OffsetForLeaderTopic copy = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic.topic());
                    leg.topics().add(copy);
                    return copy;
                }).partitions().add(partition);
            }
        }
        return legs;
    }

    @Override
    public OffsetForLeaderEpochResponseData merge(OffsetForLeaderEpochRequestData request, List<OffsetForLeaderEpochResponseData> answers) {
        Map<String, OffsetForLeaderEpochResponseData.EpochEndOffset> answered = new HashMap<>();
        for (OffsetForLeaderEpochResponseData answer : answers) {
            for (OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topic : answer.topics()) {
                topic.partitions().forEach(p -> answered.put(topic.topic() + "/" + p.partition(), p));
            }
        }
        OffsetForLeaderEpochResponseData merged = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult out = new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset p = answered.get(topic.topic() + "/" + partition.partition());
                out.partitions().add(p != null ? p : new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(partition.partition())
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setLeaderEpoch(-1).setEndOffset(-1));
            }
            merged.topics().add(out);
        }
        return merged;
    }
}
