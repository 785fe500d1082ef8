package io.strand.broker.server.handlers;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one API key. Handlers run on the event loop of the connection that sent the request, so they must not
 * block; a handler that has to wait (a long-poll fetch) returns an incomplete stage and completes it later from
 * any thread. The versions it declares are exactly what ApiVersions advertises.
 */
public interface ApiHandler<Q extends ApiMessage, R extends ApiMessage> {
    ApiKeys apiKey();

    short minVersion();

    short maxVersion();

    CompletionStage<R> handle(RequestContext context, Q request) throws Exception;
}
