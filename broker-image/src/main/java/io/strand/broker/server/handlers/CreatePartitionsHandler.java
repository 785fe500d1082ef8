package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** CreatePartitions: grows a topic's partition count (never shrinks it). */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequestData, CreatePartitionsResponseData> {
    private final BrokerContext broker;

    public CreatePartitionsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletionStage<CreatePartitionsResponseData> handle(RequestContext context, CreatePartitionsRequestData request) {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : request.topics()) {
            CreatePartitionsResponseData.CreatePartitionsTopicResult result = new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(topic.name());
            response.results().add(result);
            try {
                if (topic.assignments() != null) {
                    for (CreatePartitionsRequestData.CreatePartitionsAssignment assignment : topic.assignments()) {
                        if (assignment.brokerIds().size() != 1 || assignment.brokerIds().get(0) != broker.nodeId()) {
                            throw new InvalidReplicaAssignmentException("Replica assignment " + assignment.brokerIds()
                                    + " names brokers other than the only broker, " + broker.nodeId() + ".");
                        }
                    }
                }
                broker.logs().createPartitions(topic.name(), topic.count(), request.validateOnly());
                result.setErrorCode(Errors.NONE.code());
            } catch (Exception e) {
                Errors error = Failures.toError(e);
                result.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
