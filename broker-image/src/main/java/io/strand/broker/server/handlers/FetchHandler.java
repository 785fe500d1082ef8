package io.strand.broker.server.handlers;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.strand.broker.protocol.RecordSets;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.Partition;
import io.strand.broker.server.log.TopicInfo;
import io.strand.broker.storage.LeaderEpochCache;
import io.strand.broker.storage.LogSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fetch: reads from the logs up to the high watermark, sending segment bytes with zero copy. When less than
 * {@code min.bytes} is available the request waits (long poll) until an append to one of its partitions brings
 * enough, or {@code max.wait.ms} passes. Fetch sessions (KIP-227) are not kept: every response has session id 0,
 * so clients send full fetch requests, which the protocol allows.
 */
public final class FetchHandler implements ApiHandler<FetchRequestData, FetchResponseData> {
    private final BrokerContext broker;
    private final BrokerMetrics metrics;

    public FetchHandler(BrokerContext broker, BrokerMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 18;
    }

    /** A requested partition resolved against the logs: either a partition to read or an error to report. */
    private record Target(String topic, Uuid topicId, FetchRequestData.FetchPartition request, Partition partition, Errors error) {
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequestData request) {
        if (request.sessionId() != 0 || request.sessionEpoch() > 0) {
            return CompletableFuture.completedFuture(new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
        }
        boolean byId = context.version() >= 13;
        int replicaId = context.version() >= 15 ? request.replicaState().replicaId() : request.replicaId();
        List<Target> targets = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            TopicInfo info = byId ? broker.logs().topic(topic.topicId()) : broker.logs().topic(topic.topic());
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                Partition partition = info == null ? null : Leadership.leader(broker, info.name(), p.partition());
                Errors error = Errors.NONE;
                if (partition == null) {
                    error = info == null ? (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION) : Leadership.error(broker, info.name(), p.partition());
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != partition.leaderEpoch()) {
                    error = p.currentLeaderEpoch() > partition.leaderEpoch() ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
                }
                targets.add(new Target(info == null ? topic.topic() : info.name(), topic.topicId(), p, partition, error));
            }
        }
        Read first = read(request, targets, byId, replicaId);
        if (request.maxWaitMs() <= 0 || first.bytes >= request.minBytes() || first.hasError || targets.isEmpty()) {
            return CompletableFuture.completedFuture(first.finish(metrics));
        }
        return new DelayedFetch(context.executor(), request, targets, byId, replicaId).start();
    }

    private final class DelayedFetch {
        private final EventExecutor executor;
        private final FetchRequestData request;
        private final List<Target> targets;
        private final boolean byId;
        private final int replicaId;
        private final CompletableFuture<FetchResponseData> result = new CompletableFuture<>();
        private final AtomicBoolean wakeScheduled = new AtomicBoolean();
        private final Runnable onAppend = this::wake;
        private ScheduledFuture<?> timeout;

        DelayedFetch(EventExecutor executor, FetchRequestData request, List<Target> targets, boolean byId, int replicaId) {
            this.executor = executor;
            this.request = request;
            this.targets = targets;
            this.byId = byId;
            this.replicaId = replicaId;
        }

        CompletableFuture<FetchResponseData> start() {
            targets.forEach(t -> t.partition().addAppendListener(onAppend));
            timeout = executor.schedule(() -> finish(read(request, targets, byId, replicaId)), request.maxWaitMs(), TimeUnit.MILLISECONDS);
            // An append may have landed between the first read and registering: look once more.
            executor.execute(this::retry);
            return result;
        }

        private void wake() {
            if (wakeScheduled.compareAndSet(false, true)) {
                executor.execute(this::retry);
            }
        }

        private void retry() {
            wakeScheduled.set(false);
            if (result.isDone()) {
                return;
            }
            Read again = read(request, targets, byId, replicaId);
            if (again.bytes >= request.minBytes() || again.hasError) {
                finish(again);
            }
        }

        private void finish(Read read) {
            if (result.isDone()) {
                return;
            }
            targets.forEach(t -> t.partition().removeAppendListener(onAppend));
            if (timeout != null) {
                timeout.cancel(false);
            }
            result.complete(read.finish(metrics));
        }
    }

    /** One pass over the requested partitions. */
    private static final class Read {
        final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0).setThrottleTimeMs(0);
        final List<String> topicOfPartition = new ArrayList<>();
        final List<FetchResponseData.PartitionData> partitions = new ArrayList<>();
        final boolean follower;
        /** Offsets each partition's records span (for messages out); a primitive array: no boxing per fetch. */
        long[] offsetsOut = new long[4];
        int bytes;
        boolean hasError;

        Read(boolean follower) {
            this.follower = follower;
        }

        void delivered(int index, long offsets) {
            if (index >= offsetsOut.length) {
                offsetsOut = java.util.Arrays.copyOf(offsetsOut, Math.max(index + 1, offsetsOut.length * 2));
            }
            offsetsOut[index] = offsets;
        }

        FetchResponseData finish(BrokerMetrics metrics) {
            for (int i = 0; i < partitions.size(); i++) {
                int size = RecordSets.sizeOf(partitions.get(i));
                if (size > 0) {
                    if (follower) {
                        metrics.replicated(topicOfPartition.get(i), size);
                    } else {
                        metrics.fetched(topicOfPartition.get(i), size, i < offsetsOut.length ? offsetsOut[i] : 0);
                    }
                }
            }
            return response;
        }
    }

    /**
     * One pass. A consumer reads up to the high watermark. A follower ({@code replicaId >= 0}) reads up to the log end
     * offset; its fetch offset is its log end offset, which moves the high watermark and the ISR; and when its last
     * fetched epoch ends earlier here than its fetch offset (or is unknown), it gets a divergingEpoch and no records.
     */
    private Read read(FetchRequestData request, List<Target> targets, boolean byId, int replicaId) {
        boolean follower = replicaId >= 0;
        Read read = new Read(follower);
        FetchResponseData.FetchableTopicResponse current = null;
        for (Target target : targets) {
            if (current == null || !sameTopic(current, target, byId)) {
                current = new FetchResponseData.FetchableTopicResponse().setTopic(target.topic()).setTopicId(target.topicId());
                read.response.responses().add(current);
            }
            FetchResponseData.PartitionData out = new FetchResponseData.PartitionData()
                    .setPartitionIndex(target.request().partition())
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
            current.partitions().add(out);
            read.partitions.add(out);
            read.topicOfPartition.add(target.topic());
            if (target.error() != Errors.NONE) {
                out.setErrorCode(target.error().code());
                RecordSets.setNoRecords(out);
                read.hasError = true;
                continue;
            }
            Partition partition = target.partition();
            long fetchOffset = target.request().fetchOffset();
            if (follower) {
                int lastFetchedEpoch = target.request().lastFetchedEpoch();
                if (lastFetchedEpoch >= 0) {
                    LeaderEpochCache.EpochEnd epochEnd = partition.log().endOffsetForEpoch(lastFetchedEpoch);
                    if (epochEnd.epoch() < lastFetchedEpoch || epochEnd.endOffset() < fetchOffset) {
                        out.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(epochEnd.epoch()).setEndOffset(epochEnd.endOffset()))
                                .setHighWatermark(partition.highWatermark()).setLastStableOffset(partition.highWatermark())
                                .setLogStartOffset(partition.log().logStartOffset());
                        RecordSets.setNoRecords(out);
                        read.hasError = true; // answer at once
                        continue;
                    }
                }
                if (fetchOffset <= partition.log().logEndOffset()) {
                    broker.logs().followerFetched(partition, replicaId, fetchOffset);
                }
            }
            long highWatermark = partition.highWatermark();
            out.setHighWatermark(highWatermark).setLastStableOffset(highWatermark).setLogStartOffset(partition.log().logStartOffset());
            int remaining = request.maxBytes() - read.bytes;
            if (remaining <= 0) {
                RecordSets.setNoRecords(out);
                continue;
            }
            try {
                LogSlice slice = partition.log().read(fetchOffset,
                        Math.min(target.request().partitionMaxBytes(), remaining), read.bytes == 0, follower ? Long.MAX_VALUE : highWatermark);
                if (slice.length() > 0) {
                    RecordSets.setRecords(out, slice.channel(), slice.position(), slice.length());
                    read.bytes += slice.length();
                    read.delivered(read.partitions.size() - 1, Math.max(0, slice.nextOffset() - fetchOffset));
                } else {
                    RecordSets.setNoRecords(out);
                }
                out.setLogStartOffset(slice.logStartOffset());
            } catch (Exception e) {
                Errors error = Failures.toError(e);
                out.setErrorCode(error.code());
                RecordSets.setNoRecords(out);
                read.hasError = true;
            }
        }
        return read;
    }

    private static boolean sameTopic(FetchResponseData.FetchableTopicResponse current, Target target, boolean byId) {
        return byId ? current.topicId().equals(target.topicId()) : current.topic().equals(target.topic());
    }
}
