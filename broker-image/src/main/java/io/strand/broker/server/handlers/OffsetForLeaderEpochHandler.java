package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch: where a leader epoch ends, so consumers (KIP-320) can detect log truncation.
 * The answer comes from the leader's epoch cache (the largest epoch <= the requested one, and where it ends).
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetForLeaderEpochRequestData, OffsetForLeaderEpochResponseData> {
    private final BrokerContext broker;

    public OffsetForLeaderEpochHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<OffsetForLeaderEpochResponseData> handle(RequestContext context, OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topicResult = new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(topicResult);
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset out = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                topicResult.partitions().add(out);
                Partition partition = Leadership.leader(broker, topic.topic(), p.partition());
                if (partition == null) {
                    out.setErrorCode(Leadership.error(broker, topic.topic(), p.partition()).code());
                    continue;
                }
                int epoch = partition.leaderEpoch();
                if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != epoch) {
                    out.setErrorCode((p.currentLeaderEpoch() > epoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
                    continue;
                }
                out.setErrorCode(Errors.NONE.code());
                if (p.leaderEpoch() >= 0) {
                    var end = partition.log().endOffsetForEpoch(p.leaderEpoch());
                    out.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
