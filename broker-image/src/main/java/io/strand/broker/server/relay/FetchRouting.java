package io.strand.broker.server.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fetch. Legs never use fetch sessions (session 0, epoch -1: full requests), which is all this broker supports
 * anyway; the merged answer has session id 0, so clients keep sending full fetches.
 */
final class FetchRouting implements Routing<FetchRequestData, FetchResponseData> {
    @Override
    public Map<Integer, FetchRequestData> split(FetchRequestData request, int self, LeaderLookup leaders) {
        Map<Integer, FetchRequestData> legs = new LinkedHashMap<>();
        Map<Integer, Map<String, FetchRequestData.FetchTopic>> topics = new HashMap<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            String key = LeaderLookup.topicKey(topic.topic(), topic.topicId());
            for (FetchRequestData.FetchPartition partition : topic.partitions()) {
                int target = leaders.target(self, topic.topic(), topic.topicId(), partition.partition());
                FetchRequestData leg = legs.computeIfAbsent(target, t -> withoutTopics(request));
                topics.computeIfAbsent(target, t -> new HashMap<>()).computeIfAbsent(key, k -> {
                    FetchRequestData.FetchTopic copy = new FetchRequestData.FetchTopic().setTopic(topic.topic()).setTopicId(topic.topicId());
                    leg.topics().add(copy);
                    return copy;
                }).partitions().add(partition);
            }
        }
        return legs;
    }

    private static FetchRequestData withoutTopics(FetchRequestData request) {
        return new FetchRequestData().setClusterId(request.clusterId()).setReplicaId(request.replicaId())
                .setReplicaState(request.replicaState().duplicate()).setMaxWaitMs(request.maxWaitMs()).setMinBytes(request.minBytes())
                .setMaxBytes(request.maxBytes()).setIsolationLevel(request.isolationLevel()).setSessionId(0).setSessionEpoch(-1)
                .setRackId(request.rackId()).setTopics(new ArrayList<>()).setForgottenTopicsData(new ArrayList<>());
    }

    /** The same legs asking for an immediate answer (the first, non-waiting round of a relayed fetch). */
    static Map<Integer, FetchRequestData> immediate(Map<Integer, FetchRequestData> legs) {
        Map<Integer, FetchRequestData> now = new LinkedHashMap<>();
        legs.forEach((target, leg) -> {
            FetchRequestData copy = withoutTopics(leg).setMaxWaitMs(0);
            copy.topics().addAll(leg.topics());
            now.put(target, copy);
        });
        return now;
    }

    @Override
    public FetchResponseData merge(FetchRequestData request, List<FetchResponseData> answers) {
        Map<String, FetchResponseData.PartitionData> answered = new HashMap<>();
        for (FetchResponseData answer : answers) {
            if (answer.errorCode() != Errors.NONE.code()) {
                continue; // a failed leg: its partitions are answered as not led here
            }
            for (FetchResponseData.FetchableTopicResponse topic : answer.responses()) {
                String key = LeaderLookup.topicKey(topic.topic(), topic.topicId());
                topic.partitions().forEach(p -> answered.put(key + "/" + p.partitionIndex(), p));
            }
        }
        FetchResponseData merged = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0).setThrottleTimeMs(0);
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            String key = LeaderLookup.topicKey(topic.topic(), topic.topicId());
            FetchResponseData.FetchableTopicResponse out = new FetchResponseData.FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId());
            for (FetchRequestData.FetchPartition partition : topic.partitions()) {
                FetchResponseData.PartitionData p = answered.get(key + "/" + partition.partition());
                if (p == null) {
                    p = new FetchResponseData.PartitionData().setPartitionIndex(partition.partition())
                            .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
                }
                // no read-replica or leader hints: they name brokers relay clients cannot reach
                out.partitions().add(p.setPreferredReadReplica(-1).setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()));
            }
            merged.responses().add(out);
        }
        return merged;
    }
}
