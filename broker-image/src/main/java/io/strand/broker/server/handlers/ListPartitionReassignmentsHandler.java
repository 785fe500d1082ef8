package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListPartitionReassignments: the partitions whose replicas are moving, from this broker's metadata image (all of
 * them when topics is null). Like Kafka, partitions that do not exist or are not moving are left out.
 */
public final class ListPartitionReassignmentsHandler
        implements ApiHandler<ListPartitionReassignmentsRequestData, ListPartitionReassignmentsResponseData> {
    private final BrokerContext broker;

    public ListPartitionReassignmentsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ListPartitionReassignmentsResponseData> handle(RequestContext context, ListPartitionReassignmentsRequestData request) {
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        Map<String, TopicMetadata> topics = broker.logs().metadata().image().topics();
        if (request.topics() == null) {
            topics.values().forEach(topic -> add(response, topic, IntStream.range(0, topic.partitions().size()).boxed().toList()));
        } else {
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics requested : request.topics()) {
                TopicMetadata topic = topics.get(requested.name());
                if (topic != null) {
                    add(response, topic, requested.partitionIndexes());
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private static void add(ListPartitionReassignmentsResponseData response, TopicMetadata topic, List<Integer> partitions) {
        ListPartitionReassignmentsResponseData.OngoingTopicReassignment ongoing =
                new ListPartitionReassignmentsResponseData.OngoingTopicReassignment().setName(topic.name());
        for (int p : partitions) {
            if (p < 0 || p >= topic.partitions().size()) {
                continue;
            }
            PartitionState state = topic.partitions().get(p);
            if (state.reassigning()) {
                ongoing.partitions().add(new ListPartitionReassignmentsResponseData.OngoingPartitionReassignment().setPartitionIndex(p)
                        .setReplicas(new java.util.ArrayList<>(state.replicas())).setAddingReplicas(new java.util.ArrayList<>(state.adding()))
                        .setRemovingReplicas(new java.util.ArrayList<>(state.removing())));
            }
        }
        if (!ongoing.partitions().isEmpty()) {
            response.topics().add(ongoing);
        }
    }
}
