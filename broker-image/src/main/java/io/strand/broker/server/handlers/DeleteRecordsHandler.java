package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** DeleteRecords: moves a partition's log start offset forward (offset -1 means the high watermark). */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequestData, DeleteRecordsResponseData> {
    private final BrokerContext broker;

    public DeleteRecordsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
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
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult out = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                topicResult.partitions().add(out);
                Partition partition = Leadership.leader(broker, topic.name(), p.partitionIndex());
                if (partition == null) {
                    out.setErrorCode(Leadership.error(broker, topic.name(), p.partitionIndex()).code());
                    continue;
                }
                long highWatermark = partition.highWatermark();
                long offset = p.offset() == -1 ? highWatermark : p.offset();
                if (offset < 0 || offset > highWatermark) {
                    out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    continue;
                }
                try {
                    if (offset > partition.log().logStartOffset()) {
                        partition.log().deleteRecordsBefore(offset);
                    }
                    out.setLowWatermark(partition.log().logStartOffset()).setErrorCode(Errors.NONE.code());
                } catch (Exception e) {
                    out.setErrorCode(Failures.toError(e).code());
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
