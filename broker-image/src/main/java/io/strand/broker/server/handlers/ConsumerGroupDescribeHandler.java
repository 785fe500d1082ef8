package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletionStage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ConsumerGroupDescribe (KIP-848 groups): epochs, members, their assignments and target assignments. */
public final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequestData, ConsumerGroupDescribeResponseData> {
    private final BrokerContext broker;

    public ConsumerGroupDescribeHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
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
    public CompletionStage<ConsumerGroupDescribeResponseData> handle(RequestContext context, ConsumerGroupDescribeRequestData request) {
        List<CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup>> groups = new ArrayList<>();
        for (String groupId : request.groupIds()) {
            groups.add(broker.groups().admin().consumerGroupDescribe(groupId, context.version()).thenApply(g -> {
                if (request.includeAuthorizedOperations()) {
                    g.setAuthorizedOperations(GroupHandlers.ALL_GROUP_OPERATIONS);
                }
                return g;
            }));
        }
        return GroupHandlers.all(groups).thenApply(g -> new ConsumerGroupDescribeResponseData().setThrottleTimeMs(0).setGroups(g));
    }
}
