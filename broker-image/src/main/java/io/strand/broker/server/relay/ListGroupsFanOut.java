package io.strand.broker.server.relay;

import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListGroups asks every broker, as an admin client would if it could see them all: each broker lists only the
 * groups it coordinates. A broker that does not answer makes the whole answer COORDINATOR_NOT_AVAILABLE (with the
 * groups that were found), which admin clients retry.
 */
final class ListGroupsFanOut extends RelayedHandler<ListGroupsRequestData, ListGroupsResponseData> {
    private final ClusterMetadata metadata;
    private final Forwarding forwarding;

    ListGroupsFanOut(ApiHandler<ListGroupsRequestData, ListGroupsResponseData> local, ClusterMetadata metadata, Forwarding forwarding) {
        super(local);
        this.metadata = metadata;
        this.forwarding = forwarding;
    }

    @Override
    public CompletionStage<ListGroupsResponseData> handle(RequestContext context, ListGroupsRequestData request) {
        List<CompletableFuture<ListGroupsResponseData>> answers = new ArrayList<>();
        List<Integer> brokers = new ArrayList<>(metadata.liveBrokers().keySet());
        if (!brokers.contains(forwarding.self())) {
            brokers.add(forwarding.self());
        }
        brokers.forEach(id -> answers.add(forwarding.<ListGroupsResponseData>send(context, id, request, local).exceptionally(e -> null)));
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ListGroupsResponseData merged = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
            for (CompletableFuture<ListGroupsResponseData> answer : answers) {
                ListGroupsResponseData r = answer.join();
                if (r == null || r.errorCode() != Errors.NONE.code()) {
                    merged.setErrorCode(r == null ? Errors.COORDINATOR_NOT_AVAILABLE.code() : r.errorCode());
                }
                if (r != null) {
                    merged.groups().addAll(r.groups());
                }
            }
            return merged;
        });
    }
}
