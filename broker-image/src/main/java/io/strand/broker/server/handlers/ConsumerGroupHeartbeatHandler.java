package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ConsumerGroupHeartbeat (KIP-848): membership, subscription and server-side assignment in one request. */
public final class ConsumerGroupHeartbeatHandler implements ApiHandler<ConsumerGroupHeartbeatRequestData, ConsumerGroupHeartbeatResponseData> {
    private final BrokerContext broker;

    public ConsumerGroupHeartbeatHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
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
    public CompletionStage<ConsumerGroupHeartbeatResponseData> handle(RequestContext context, ConsumerGroupHeartbeatRequestData request) {
        return broker.groups().consumerGroupHeartbeat(request, context.clientId(), GroupHandlers.clientHost(context))
                .thenApply(r -> r.setThrottleTimeMs(0));
    }
}
