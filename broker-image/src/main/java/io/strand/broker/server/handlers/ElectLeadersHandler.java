package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.MetadataRecord;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ElectLeaders. PREFERRED makes each partition's first replica its leader when it is in sync and active (one
 * ElectPreferredLeader record per partition). UNCLEAN (electing a replica outside the ISR) is not implemented: a
 * partition that has a leader gets ELECTION_NOT_NEEDED, as in Kafka; a leaderless one gets
 * ELIGIBLE_LEADERS_NOT_AVAILABLE with a message saying so. With null topicPartitions every partition is
 * considered and, like Kafka, those already led by their preferred replica are left out of the response.
 */
public final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequestData, ElectLeadersResponseData> {
    static final String UNCLEAN_UNSUPPORTED = "Unclean leader election on request is not supported by this broker; partitions of topics "
            + "with unclean.leader.election.enable=true get a leader outside the ISR automatically when a replica's broker becomes active.";

    private final BrokerContext broker;

    public ElectLeadersHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ElectLeadersResponseData> handle(RequestContext context, ElectLeadersRequestData request) {
        ElectLeadersResponseData response = new ElectLeadersResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        ElectionType type;
        try {
            type = context.version() >= 1 ? ElectionType.valueOf(request.electionType()) : ElectionType.PREFERRED;
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        boolean all = request.topicPartitions() == null;
        Map<String, TopicMetadata> topics = broker.logs().metadata().image().topics();
        Map<String, List<Integer>> wanted = new LinkedHashMap<>();
        if (all) {
            topics.values().forEach(t -> {
                List<Integer> partitions = new ArrayList<>();
                for (int p = 0; p < t.partitions().size(); p++) {
                    partitions.add(p);
                }
                wanted.put(t.name(), partitions);
            });
        } else {
            request.topicPartitions().forEach(tp -> wanted.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).addAll(tp.partitions()));
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        wanted.forEach((topicName, partitions) -> {
            ElectLeadersResponseData.ReplicaElectionResult topicResult = new ElectLeadersResponseData.ReplicaElectionResult().setTopic(topicName);
            TopicMetadata topic = topics.get(topicName);
            for (int p : partitions) {
                ElectLeadersResponseData.PartitionResult result = new ElectLeadersResponseData.PartitionResult().setPartitionId(p)
                        .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                if (topic == null || p < 0 || p >= topic.partitions().size()) {
                    topicResult.partitionResult().add(result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("The partition " + topicName + "-" + p + " does not exist."));
                    continue;
                }
                PartitionState state = topic.partitions().get(p);
                if (type == ElectionType.UNCLEAN) {
                    if (!all || !state.hasLeader()) {
                        topicResult.partitionResult().add(state.hasLeader()
                                ? result.setErrorCode(Errors.ELECTION_NOT_NEEDED.code()).setErrorMessage("Leader election not needed for topic partition.")
                                : result.setErrorCode(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE.code()).setErrorMessage(UNCLEAN_UNSUPPORTED));
                    }
                    continue;
                }
                if (all && state.leader() == state.replicas().get(0)) {
                    continue;
                }
                topicResult.partitionResult().add(result);
                pending.add(ClusterChanges.propose(broker, new MetadataRecord.ElectPreferredLeader(topicName, p), request.timeoutMs())
                        .thenAccept(outcome -> {
                            if (!outcome.ok()) {
                                result.setErrorCode(outcome.error().code()).setErrorMessage(message(outcome, topicName, p));
                            }
                        }));
            }
            if (!topicResult.partitionResult().isEmpty()) {
                response.replicaElectionResults().add(topicResult);
            }
        });
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> response);
    }

    private String message(ClusterChanges.Outcome outcome, String topic, int partition) {
        if (outcome.error() == Errors.PREFERRED_LEADER_NOT_AVAILABLE) {
            TopicMetadata current = broker.logs().metadata().image().topics().get(topic);
            if (current != null && partition < current.partitions().size()) {
                PartitionState state = current.partitions().get(partition);
                return "Failed to elect leader for partition " + topic + "-" + partition + ": preferred replica " + state.replicas().get(0)
                        + " is not in the ISR " + state.isr() + " or its broker is not active.";
            }
        }
        return outcome.message();
    }
}
