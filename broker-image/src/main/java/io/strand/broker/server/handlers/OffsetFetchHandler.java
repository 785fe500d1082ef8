package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * OffsetFetch: one group (v1-v7) or a batch of groups (v8+). requireStable needs no waiting: there are no
 * transactional offset commits to be pending.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequestData, OffsetFetchResponseData> {
    private final BrokerContext broker;

    public OffsetFetchHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    @Override
    public CompletionStage<OffsetFetchResponseData> handle(RequestContext context, OffsetFetchRequestData request) {
        short version = context.version();
        if (version >= 8) {
            List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> groups = new ArrayList<>();
            request.groups().forEach(g -> groups.add(broker.groups().offsetFetch(g, version)));
            return GroupHandlers.all(groups).thenApply(g -> new OffsetFetchResponseData().setThrottleTimeMs(0).setGroups(g));
        }
        OffsetFetchRequestData.OffsetFetchRequestGroup group = new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(request.groupId());
        if (request.topics() == null) {
            group.setTopics(null);
        } else {
            request.topics().forEach(t -> group.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t.name())
                    .setPartitionIndexes(t.partitionIndexes())));
        }
        return broker.groups().offsetFetch(group, version).thenApply(result -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData().setThrottleTimeMs(0);
            if (version >= 2) {
                response.setErrorCode(result.errorCode());
            }
            result.topics().forEach(t -> {
                OffsetFetchResponseData.OffsetFetchResponseTopic topic = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                t.partitions().forEach(p -> {
                    OffsetFetchResponseData.OffsetFetchResponsePartition out = new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset()).setMetadata(p.metadata())
                            // v1 has no group-level error: it goes on each partition
                            .setErrorCode(version < 2 && result.errorCode() != 0 ? result.errorCode() : p.errorCode());
                    if (version >= 5) {
                        out.setCommittedLeaderEpoch(p.committedLeaderEpoch());
                    }
                    topic.partitions().add(out);
                });
                response.topics().add(topic);
            });
            return response;
        });
    }
}
