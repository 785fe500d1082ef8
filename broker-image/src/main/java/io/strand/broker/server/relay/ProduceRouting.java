package io.strand.broker.server.relay;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;

/** Produce: batches are forwarded unchanged (same producer id, epoch and sequence), so idempotence holds end to end. */
final class ProduceRouting implements Routing<ProduceRequestData, ProduceResponseData> {
    @Override
    public Map<Integer, ProduceRequestData> split(ProduceRequestData request, int self, LeaderLookup leaders) {
        Map<Integer, ProduceRequestData> legs = new LinkedHashMap<>();
        Map<Integer, Map<String, ProduceRequestData.TopicProduceData>> topics = new HashMap<>();
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            String key = LeaderLookup.topicKey(topic.name(), topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                int target = leaders.target(self, topic.name(), topic.topicId(), partition.index());
                ProduceRequestData leg = legs.computeIfAbsent(target, t -> new ProduceRequestData().setAcks(request.acks())
                        .setTimeoutMs(request.timeoutMs()).setTransactionalId(request.transactionalId()));
                topics.computeIfAbsent(target, t -> new HashMap<>()).computeIfAbsent(key, k -> {
                    ProduceRequestData.TopicProduceData copy = new ProduceRequestData.TopicProduceData().setName(topic.name()).setTopicId(topic.topicId());
                    leg.topicData().add(copy);
                    return copy;
                }).partitionData().add(partition);
            }
        }
        return legs;
    }

    @Override
    public ProduceResponseData merge(ProduceRequestData request, List<ProduceResponseData> answers) {
        Map<String, ProduceResponseData.PartitionProduceResponse> answered = new HashMap<>();
        for (ProduceResponseData answer : answers) {
            for (ProduceResponseData.TopicProduceResponse topic : answer.responses()) {
                String key = LeaderLookup.topicKey(topic.name(), topic.topicId());
                topic.partitionResponses().forEach(p -> answered.put(key + "/" + p.index(), p));
            }
        }
        ProduceResponseData merged = new ProduceResponseData().setThrottleTimeMs(0);
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            String key = LeaderLookup.topicKey(topic.name(), topic.topicId());
            ProduceResponseData.TopicProduceResponse out = new ProduceResponseData.TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                ProduceResponseData.PartitionProduceResponse p = answered.get(key + "/" + partition.index());
                if (p == null) {
                    p = new ProduceResponseData.PartitionProduceResponse().setIndex(partition.index())
                            .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                }
                out.partitionResponses().add(p.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()));
            }
            merged.responses().add(out);
        }
        return merged;
    }
}
