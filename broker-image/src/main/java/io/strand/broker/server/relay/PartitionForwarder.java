package io.strand.broker.server.relay;

import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A partition-level API on the relay listener: the request is split by leader, each leg is answered locally or by
 * its leader, and the answers are merged back in request order. A leg that fails (broker gone, timeout) only turns
 * its own partitions into retriable errors.
 */
class PartitionForwarder<Q extends ApiMessage, R extends ApiMessage> extends RelayedHandler<Q, R> {
    final Routing<Q, R> routing;
    final Forwarding forwarding;

    PartitionForwarder(ApiHandler<Q, R> local, Routing<Q, R> routing, Forwarding forwarding) {
        super(local);
        this.routing = routing;
        this.forwarding = forwarding;
    }

    @Override
    public CompletionStage<R> handle(RequestContext context, Q request) {
        return run(context, request, routing.split(request, forwarding.self(), forwarding.leaders()));
    }

    CompletableFuture<R> run(RequestContext context, Q request, Map<Integer, Q> legs) {
        List<CompletableFuture<R>> answers = new ArrayList<>();
        legs.forEach((target, leg) -> answers.add(forwarding.<R>send(context, target, leg, local).exceptionally(e -> null)));
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<R> answered = new ArrayList<>();
            answers.forEach(a -> {
                R r = a.join();
                if (r != null) {
                    answered.add(r);
                }
            });
            return routing.merge(request, answered);
        });
    }
}
