package io.strand.broker.server.handlers;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import io.strand.broker.storage.PartitionLog;
import io.strand.broker.storage.TimestampMatch;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/** ListOffsets: earliest, latest, max timestamp, and the first offset at or after a timestamp. */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequestData, ListOffsetsResponseData> {
    private final BrokerContext broker;

    public ListOffsetsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 11;
    }

    @Override
    public CompletionStage<ListOffsetsResponseData> handle(RequestContext context, ListOffsetsRequestData request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData().setThrottleTimeMs(0);
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse out = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setOffset(-1).setTimestamp(-1);
                topicResponse.partitions().add(out);
                Partition partition = Leadership.leader(broker, topic.name(), p.partitionIndex());
                if (partition == null) {
                    out.setErrorCode(Leadership.error(broker, topic.name(), p.partitionIndex()).code());
                    continue;
                }
                if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != partition.leaderEpoch()) {
                    out.setErrorCode((p.currentLeaderEpoch() > partition.leaderEpoch() ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
                    continue;
                }
                try {
                    lookup(partition, p.timestamp(), out);
                    if (context.version() < 4) {
                        out.setLeaderEpoch(-1); // the field exists from v4
                    }
                    out.setErrorCode(Errors.NONE.code());
                } catch (Exception e) {
                    out.setErrorCode(Failures.toError(e).code());
                }
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static void lookup(Partition partition, long timestamp, ListOffsetsResponseData.ListOffsetsPartitionResponse out) throws IOException {
        PartitionLog log = partition.log();
        long highWatermark = partition.highWatermark();
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            out.setOffset(log.logStartOffset()).setLeaderEpoch(partition.leaderEpoch());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP || timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
            // Without tiered storage the latest tiered offset is the local log's end, as the earliest local is its start.
            out.setOffset(highWatermark).setLeaderEpoch(partition.leaderEpoch());
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            TimestampMatch batch = log.findMaxTimestampBatch();
            found(partition, batch == null ? null : RecordSets.findInBatch(batch.channel(), batch.position(), batch.size(), batch.maxTimestamp(), true),
                    highWatermark, out);
        } else if (timestamp >= 0) {
            TimestampMatch batch = log.findBatchByTimestamp(timestamp);
            found(partition, batch == null ? null : RecordSets.findInBatch(batch.channel(), batch.position(), batch.size(), timestamp, false),
                    highWatermark, out);
        } else {
            // EARLIEST_PENDING_UPLOAD and future special values: nothing is pending upload without tiered storage.
            out.setOffset(-1).setTimestamp(-1);
        }
    }

    private static void found(Partition partition, RecordSets.OffsetAndTimestamp match, long highWatermark,
                              ListOffsetsResponseData.ListOffsetsPartitionResponse out) {
        if (match != null && match.offset() < highWatermark) {
            out.setOffset(match.offset()).setTimestamp(match.timestamp()).setLeaderEpoch(partition.leaderEpoch());
        } else {
            out.setOffset(-1).setTimestamp(-1);
        }
    }
}
