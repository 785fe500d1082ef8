package io.strand.broker.server.handlers;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import io.strand.broker.server.log.TopicInfo;
import io.strand.broker.storage.AppendResult;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Produce: validates and appends each partition's batches as they were sent. With a single replica the high
 * watermark moves on append, so acks=1 and acks=all are answered at once; acks=0 gets no response.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData, ProduceResponseData> {
    private final BrokerContext broker;
    private final BrokerMetrics metrics;

    public ProduceHandler(BrokerContext broker, BrokerMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 3;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletionStage<ProduceResponseData> handle(RequestContext context, ProduceRequestData request) {
        ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(0);
        short acks = request.acks();
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        for (ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            TopicInfo topic = context.version() >= 13 ? broker.logs().topic(topicData.topicId()) : broker.logs().topic(topicData.name());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                ProduceResponseData.PartitionProduceResponse out = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(out);
                if (!validAcks) {
                    out.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                    continue;
                }
                if (request.transactionalId() != null) {
                    out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()).setErrorMessage("transactions are not supported by this broker");
                    continue;
                }
                Partition partition = topic == null ? null : Leadership.leader(broker, topic.name(), partitionData.index());
                if (partition == null) {
                    Errors error = topic == null ? (context.version() >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                            : Leadership.error(broker, topic.name(), partitionData.index());
                    out.setErrorCode(error.code());
                    continue;
                }
                append(partition, partitionData, out);
            }
            response.responses().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void append(Partition partition, ProduceRequestData.PartitionProduceData partitionData, ProduceResponseData.PartitionProduceResponse out) {
        ByteBuffer batches = RecordSets.producedBytes(partitionData);
        try {
            if (batches.remaining() == 0) {
                throw new org.apache.kafka.common.InvalidRecordException("the produce request has no record batch for this partition");
            }
            RecordSets.validate(batches, partition.compacted());
            int bytes = batches.remaining();
            AppendResult result = partition.append(batches);
            out.setBaseOffset(result.baseOffset())
                    .setLogAppendTimeMs(result.logAppendTimeMs())
                    .setLogStartOffset(result.logStartOffset())
                    .setErrorCode(Errors.NONE.code());
            if (!result.duplicate()) {
                metrics.produced(partition.topicPartition().topic(), bytes, result.lastOffset() - result.baseOffset() + 1);
            }
        } catch (Exception e) {
            Errors error = Failures.toError(e);
            out.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            metrics.produceFailed(partition.topicPartition().topic());
        }
    }
}
