package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.MetadataRecord;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterPartitionReassignments: starts (replicas given) or cancels (replicas null) moving a partition's replicas. New
 * replicas are added at once; the old ones are dropped once every new replica is in sync (see ClusterImage). Each
 * partition is one metadata record, proposed without blocking the event loop; the response is sent once all of them
 * were committed (or refused).
 */
public final class AlterPartitionReassignmentsHandler
        implements ApiHandler<AlterPartitionReassignmentsRequestData, AlterPartitionReassignmentsResponseData> {
    private final BrokerContext broker;

    public AlterPartitionReassignmentsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<AlterPartitionReassignmentsResponseData> handle(RequestContext context, AlterPartitionReassignmentsRequestData request) {
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        if (context.version() >= 1) {
            response.setAllowReplicationFactorChange(request.allowReplicationFactorChange());
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic topic : request.topics()) {
            AlterPartitionReassignmentsResponseData.ReassignableTopicResponse topicResponse =
                    new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(topic.name());
            response.responses().add(topicResponse);
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition partition : topic.partitions()) {
                AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse result =
                        new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse().setPartitionIndex(partition.partitionIndex())
                                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                topicResponse.partitions().add(result);
                ClusterChanges.Outcome invalid = validate(topic.name(), partition, context.version() >= 1 && !request.allowReplicationFactorChange());
                if (invalid != null) {
                    result.setErrorCode(invalid.error().code()).setErrorMessage(invalid.message());
                    continue;
                }
                List<Integer> target = partition.replicas() == null ? null : List.copyOf(partition.replicas());
                pending.add(ClusterChanges.propose(broker, new MetadataRecord.Reassign(topic.name(), partition.partitionIndex(), target), request.timeoutMs())
                        .thenAccept(outcome -> {
                            if (!outcome.ok()) {
                                result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message());
                            }
                        }));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> response);
    }

    /** Refusals that need no round trip to the quorum; null when the proposal may go ahead. */
    private ClusterChanges.Outcome validate(String topicName, AlterPartitionReassignmentsRequestData.ReassignablePartition partition,
                                            boolean sameReplicationFactor) {
        TopicMetadata topic = broker.logs().metadata().image().topics().get(topicName);
        if (topic == null || partition.partitionIndex() < 0 || partition.partitionIndex() >= topic.partitions().size()) {
            return new ClusterChanges.Outcome(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unable to find partition " + topicName + "-" + partition.partitionIndex() + ".");
        }
        List<Integer> target = partition.replicas();
        if (target == null) {
            return null;
        }
        if (target.isEmpty()) {
            return new ClusterChanges.Outcome(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list.");
        }
        if (target.stream().distinct().count() != target.size()) {
            return new ClusterChanges.Outcome(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes duplicate replicas: " + target + ".");
        }
        for (int replica : target) {
            if (!broker.logs().metadata().image().brokers().containsKey(replica)) {
                return new ClusterChanges.Outcome(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + replica + ", which is not registered.");
            }
        }
        PartitionState state = topic.partitions().get(partition.partitionIndex());
        if (sameReplicationFactor && target.size() != state.targetReplicas().size()) {
            return new ClusterChanges.Outcome(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from "
                    + state.targetReplicas().size() + " to " + target.size() + " but allowReplicationFactorChange is false.");
        }
        return null;
    }
}
