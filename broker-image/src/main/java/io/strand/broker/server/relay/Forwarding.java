package io.strand.broker.server.relay;

import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiMessage;

/** What the relay's handlers share: who this broker is, where partitions and brokers are, and how to reach them. */
final class Forwarding {
    private final int self;
    private final RelayNode node;
    private final ClusterLeaders leaders;
    private final RelayConnections connections;
    private final long timeoutMs;

    Forwarding(int self, RelayNode node, ClusterLeaders leaders, RelayConnections connections, long timeoutMs) {
        this.self = self;
        this.node = node;
        this.leaders = leaders;
        this.connections = connections;
        this.timeoutMs = timeoutMs;
    }

    int self() {
        return self;
    }

    RelayNode node() {
        return node;
    }

    LeaderLookup leaders() {
        return leaders;
    }

    /**
     * {@code body} answered by broker {@code target}: by the local handler when that is this broker, else over the
     * client connection's own connection to it. Never throws; a failure completes the future exceptionally.
     */
    @SuppressWarnings("unchecked")
    <R extends ApiMessage> CompletableFuture<R> send(RequestContext context, int target, ApiMessage body, ApiHandler<?, ?> local) {
        if (target == self) {
            if (!context.executor().inEventLoop()) {
                // handlers expect the connection's event loop (a second fetch round starts from wherever the first ended)
                return CompletableFuture.supplyAsync(() -> this.<R>send(context, target, body, local), context.executor()).thenCompose(f -> f);
            }
            try {
                return ((ApiHandler<ApiMessage, R>) local).handle(context, body).toCompletableFuture();
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        BrokerRegistration broker = leaders.broker(target);
        if (broker == null) {
            return CompletableFuture.failedFuture(new NetworkException("broker " + target + " is not available"));
        }
        boolean expectResponse = !(body instanceof ProduceRequestData produce && produce.acks() == 0);
        return connections.send(context.remote(), target, broker.host(), broker.port(), context.apiKey(), context.version(),
                context.clientId(), body, expectResponse, timeoutMs + waitOf(body)).thenApply(r -> (R) r);
    }

    /** How long the request itself may legitimately take at the broker, on top of the relay's own timeout. */
    private static long waitOf(ApiMessage body) {
        if (body instanceof FetchRequestData fetch) {
            return Math.max(0, fetch.maxWaitMs());
        }
        if (body instanceof ProduceRequestData produce) {
            return Math.max(0, produce.timeoutMs());
        }
        if (body instanceof JoinGroupRequestData join) {
            return Math.max(0, Math.max(join.rebalanceTimeoutMs(), join.sessionTimeoutMs()));
        }
        return 0;
    }
}
