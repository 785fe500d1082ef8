package io.strand.broker.server.handlers;

import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import io.strand.broker.server.log.TopicInfo;
import io.strand.broker.storage.AppendResult;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Produce: validates and appends each partition's batches as they were sent. acks=1 is answered after the leader's
 * append; acks=all first requires min.insync.replicas in the ISR (else NOT_ENOUGH_REPLICAS), and is answered once the
 * high watermark passed the appended batches (every ISR member has them), or with REQUEST_TIMED_OUT after the
 * request's timeout. With a sole replica the high watermark moves on append, so acks=all is answered at once.
 * acks=0 gets no response.
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
        List<Pending> pending = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            TopicInfo topic = context.version() >= 13 ? broker.logs().topic(topicData.topicId()) : broker.logs().topic(topicData.name());
            int minInsync = acks == -1 && topic != null ? minInsyncReplicas(topic) : 1;
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
                if (acks == -1 && partition.state().isr().size() < minInsync) {
                    out.setErrorCode(Errors.NOT_ENOUGH_REPLICAS.code()).setErrorMessage("the ISR of " + partition.topicPartition()
                            + " has " + partition.state().isr().size() + " member(s), fewer than min.insync.replicas=" + minInsync);
                    metrics.produceFailed(partition.topicPartition().topic());
                    continue;
                }
                AppendResult result = append(partition, partitionData, out);
                if (acks == -1 && result != null) {
                    CompletableFuture<Void> committed = partition.awaitHighWatermark(result.lastOffset() + 1);
                    if (!committed.isDone() || committed.isCompletedExceptionally()) {
                        pending.add(new Pending(partition, out, committed));
                    }
                }
            }
            response.responses().add(topicResponse);
        }
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return new DelayedProduce(context.executor(), response, pending, request.timeoutMs()).start();
    }

    private int minInsyncReplicas(TopicInfo topic) {
        String value = broker.logs().effectiveConfigs(topic).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        try {
            return value == null ? 1 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** A partition of an acks=all request whose appended batches are not committed yet. */
    private record Pending(Partition partition, ProduceResponseData.PartitionProduceResponse out, CompletableFuture<Void> committed) {
    }

    /** Kafka's DelayedProduce: completes on the connection's event loop when every partition committed or timed out. */
    private static final class DelayedProduce {
        private final EventExecutor executor;
        private final ProduceResponseData response;
        private final List<Pending> pending;
        private final long timeoutMs;
        private final CompletableFuture<ProduceResponseData> result = new CompletableFuture<>();
        private ScheduledFuture<?> timer;

        DelayedProduce(EventExecutor executor, ProduceResponseData response, List<Pending> pending, long timeoutMs) {
            this.executor = executor;
            this.response = response;
            this.pending = pending;
            this.timeoutMs = timeoutMs;
        }

        CompletableFuture<ProduceResponseData> start() {
            timer = executor.schedule(this::finish, Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
            CompletableFuture.allOf(pending.stream().map(Pending::committed).toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> executor.execute(this::finish));
            return result;
        }

        /** Runs on the event loop: by the timer (some may still wait) or once all completed. */
        private void finish() {
            if (result.isDone()) {
                return;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            for (Pending p : pending) {
                CompletableFuture<Void> f = p.committed();
                if (!f.isDone()) {
                    p.partition().cancelWait(f);
                    p.out().setErrorCode(Errors.REQUEST_TIMED_OUT.code())
                            .setErrorMessage("the ISR did not replicate the batches within " + timeoutMs + " ms");
                } else if (f.isCompletedExceptionally()) {
                    Throwable cause = f.handle((v, e) -> e instanceof CompletionException && e.getCause() != null ? e.getCause() : e).join();
                    Errors error = Failures.toError(cause);
                    p.out().setErrorCode(error.code()).setErrorMessage(Failures.message(cause, error));
                }
            }
            result.complete(response);
        }
    }

    private AppendResult append(Partition partition, ProduceRequestData.PartitionProduceData partitionData, ProduceResponseData.PartitionProduceResponse out) {
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
            return result;
        } catch (Exception e) {
            Errors error = Failures.toError(e);
            out.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            metrics.produceFailed(partition.topicPartition().topic());
            return null;
        }
    }
}
