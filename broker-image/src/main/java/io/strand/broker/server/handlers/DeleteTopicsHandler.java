package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** DeleteTopics, by name or (v6+) by topic id. */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequestData, DeleteTopicsResponseData> {
    private final BrokerContext broker;

    public DeleteTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<DeleteTopicsResponseData> handle(RequestContext context, DeleteTopicsRequestData request) {
        List<DeleteTopicsRequestData.DeleteTopicState> requested = new ArrayList<>(request.topics());
        request.topicNames().forEach(name -> requested.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
        DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        for (DeleteTopicsRequestData.DeleteTopicState topic : requested) {
            DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
                    .setName(topic.name()).setTopicId(topic.topicId());
            response.responses().add(result);
            if (!broker.config().deleteTopicEnable()) {
                result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code());
                continue;
            }
            TopicInfo info = topic.name() != null ? broker.logs().topic(topic.name())
                    : topic.topicId() == null || topic.topicId().equals(Uuid.ZERO_UUID) ? null : broker.logs().topic(topic.topicId());
            if (info == null) {
                Errors error = topic.name() == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                result.setErrorCode(error.code()).setErrorMessage(error.message());
                continue;
            }
            result.setName(info.name()).setTopicId(info.id());
            try {
                broker.logs().deleteTopic(info.name());
                result.setErrorCode(Errors.NONE.code());
            } catch (Exception e) {
                Errors error = Failures.toError(e);
                result.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
