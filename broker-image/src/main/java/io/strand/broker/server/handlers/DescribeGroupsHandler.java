package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletionStage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** DescribeGroups (classic groups): state, protocol and members with their metadata and assignment. */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequestData, DescribeGroupsResponseData> {
    private final BrokerContext broker;

    public DescribeGroupsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<DescribeGroupsResponseData> handle(RequestContext context, DescribeGroupsRequestData request) {
        List<CompletableFuture<DescribeGroupsResponseData.DescribedGroup>> groups = new ArrayList<>();
        for (String groupId : request.groups()) {
            groups.add(broker.groups().admin().describeGroup(groupId, context.version()).thenApply(g -> {
                if (request.includeAuthorizedOperations()) {
                    g.setAuthorizedOperations(GroupHandlers.ALL_GROUP_OPERATIONS);
                }
                return g;
            }));
        }
        return GroupHandlers.all(groups).thenApply(g -> new DescribeGroupsResponseData().setThrottleTimeMs(0).setGroups(g));
    }
}
