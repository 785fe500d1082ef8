package io.strand.broker.server.relay;

import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.protocol.ApiMessage;

/** An ordinary handler whose answer is rewritten for relay clients (the relay node instead of the real brokers). */
final class Rewriting<Q extends ApiMessage, R extends ApiMessage> extends RelayedHandler<Q, R> {
    private final UnaryOperator<R> rewrite;

    Rewriting(ApiHandler<Q, R> local, UnaryOperator<R> rewrite) {
        super(local);
        this.rewrite = rewrite;
    }

    @Override
    public CompletionStage<R> handle(RequestContext context, Q request) throws Exception {
        return local.handle(context, request).thenApply(rewrite);
    }
}
