package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletionStage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** DeleteGroups: empty groups only; their offsets go with them. */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequestData, DeleteGroupsResponseData> {
    private final BrokerContext broker;

    public DeleteGroupsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
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
    public CompletionStage<DeleteGroupsResponseData> handle(RequestContext context, DeleteGroupsRequestData request) {
        List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
        for (String groupId : request.groupsNames()) {
            results.add(broker.groups().admin().deleteGroup(groupId));
        }
        return GroupHandlers.all(results).thenApply(r -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData().setThrottleTimeMs(0);
            r.forEach(result -> {
                if (response.results().find(result.groupId()) == null) {
                    response.results().add(result);
                }
            });
            return response;
        });
    }
}
