package io.strand.broker.server.relay;

import io.strand.broker.server.handlers.ApiHandler;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A relay handler standing in for a local one: it serves the same API at the same versions (so ApiVersions on the
 * relay listener advertises exactly what the ordinary listener does) and differs only in how it answers.
 */
abstract class RelayedHandler<Q extends ApiMessage, R extends ApiMessage> implements ApiHandler<Q, R> {
    final ApiHandler<Q, R> local;

    RelayedHandler(ApiHandler<Q, R> local) {
        this.local = local;
    }

    @Override
    public final ApiKeys apiKey() {
        return local.apiKey();
    }

    @Override
    public final short minVersion() {
        return local.minVersion();
    }

    @Override
    public final short maxVersion() {
        return local.maxVersion();
    }
}
