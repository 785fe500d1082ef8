package io.strand.broker.server.relay;

import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A group API on the relay listener: answered by the group's real coordinator, here or forwarded whole. A request
 * naming groups of several coordinators is split by coordinator when the API has a {@link GroupRouting}. A
 * coordinator that cannot be reached answers COORDINATOR_NOT_AVAILABLE, on which clients look it up again.
 */
final class CoordinatorForwarder<Q extends ApiMessage, R extends ApiMessage> extends RelayedHandler<Q, R> {
    private final Function<Q, List<String>> groupsOf;
    private final GroupCoordinator groups;
    private final Forwarding forwarding;
    private final GroupRouting<Q, R> routing;

    CoordinatorForwarder(ApiHandler<Q, R> local, Function<Q, List<String>> groupsOf, GroupCoordinator groups, Forwarding forwarding) {
        this(local, groupsOf, groups, forwarding, null);
    }

    CoordinatorForwarder(ApiHandler<Q, R> local, GroupRouting<Q, R> routing, GroupCoordinator groups, Forwarding forwarding) {
        this(local, routing::groups, groups, forwarding, routing);
    }

    private CoordinatorForwarder(ApiHandler<Q, R> local, Function<Q, List<String>> groupsOf, GroupCoordinator groups, Forwarding forwarding,
                                 GroupRouting<Q, R> routing) {
        super(local);
        this.groupsOf = groupsOf;
        this.groups = groups;
        this.forwarding = forwarding;
        this.routing = routing;
    }

    @Override
    public CompletionStage<R> handle(RequestContext context, Q request) throws Exception {
        Map<Integer, List<String>> byCoordinator = new LinkedHashMap<>();
        for (String group : groupsOf.apply(request)) {
            int node = group == null ? -1 : groups.coordinatorNode(group);
            // no coordinator known: the local handler gives the precise error
            byCoordinator.computeIfAbsent(node < 0 ? forwarding.self() : node, n -> new ArrayList<>()).add(group);
        }
        if (byCoordinator.size() <= 1 || routing == null) {
            int target = byCoordinator.size() == 1 ? byCoordinator.keySet().iterator().next() : forwarding.self();
            if (target == forwarding.self()) {
                return local.handle(context, request);
            }
            return forwarding.<R>send(context, target, request, local).exceptionally(e -> {
                throw new CompletionException(new CoordinatorNotAvailableException("coordinator " + target + " unreachable from the relay: " + e.getMessage()));
            });
        }
        List<CompletableFuture<R>> legs = new ArrayList<>();
        byCoordinator.forEach((target, ids) -> legs.add(forwarding.<R>send(context, target, routing.subset(request, ids), local).exceptionally(e -> null)));
        return CompletableFuture.allOf(legs.toArray(CompletableFuture[]::new))
                .thenApply(v -> routing.merge(request, legs.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList()));
    }
}
