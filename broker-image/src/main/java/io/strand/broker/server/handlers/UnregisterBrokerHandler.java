package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.MetadataRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * UnregisterBroker (Admin.unregisterBroker): forgets a broker for good, the last step of decommissioning it. The
 * metadata quorum refuses while the broker still holds replicas (INVALID_REQUEST, the message says how many: move
 * them with AlterPartitionReassignments first) and answers BROKER_ID_NOT_REGISTERED for a broker it does not know.
 */
public final class UnregisterBrokerHandler implements ApiHandler<UnregisterBrokerRequestData, UnregisterBrokerResponseData> {
    private final BrokerContext broker;

    public UnregisterBrokerHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.UNREGISTER_BROKER;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<UnregisterBrokerResponseData> handle(RequestContext context, UnregisterBrokerRequestData request) {
        int id = request.brokerId();
        if (!broker.logs().metadata().image().brokers().containsKey(id)) {
            return CompletableFuture.completedFuture(new UnregisterBrokerResponseData().setThrottleTimeMs(0)
                    .setErrorCode(Errors.BROKER_ID_NOT_REGISTERED.code()).setErrorMessage("Broker ID " + id + " is not currently registered."));
        }
        return ClusterChanges.propose(broker, new MetadataRecord.UnregisterBroker(id), ClusterChanges.MAX_WAIT_MS).thenApply(outcome ->
                new UnregisterBrokerResponseData().setThrottleTimeMs(0).setErrorCode(outcome.error().code())
                        .setErrorMessage(outcome.ok() ? null : outcome.message()));
    }
}
