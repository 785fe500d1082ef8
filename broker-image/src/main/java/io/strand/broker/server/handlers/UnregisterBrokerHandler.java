package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.MetadataRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * UnregisterBroker (Admin.unregisterBroker): forgets a broker for good, the last step of decommissioning it. The
 * metadata quorum refuses while the broker still holds replicas (INVALID_REQUEST, the message says how many: move
 * them with AlterPartitionReassignments first) and answers BROKER_ID_NOT_REGISTERED for a broker it does not know.
 * A non-voting broker is also removed from the metadata quorum's Raft configuration.
 */
public final class UnregisterBrokerHandler implements ApiHandler<UnregisterBrokerRequestData, UnregisterBrokerResponseData> {
    private static final long LEAVE_QUORUM_WAIT_MS = 10_000;

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
        return ClusterChanges.propose(broker, new MetadataRecord.UnregisterBroker(id), ClusterChanges.MAX_WAIT_MS)
                .thenCompose(outcome -> outcome.ok() ? leaveQuorum(id).thenApply(v -> outcome) : CompletableFuture.completedFuture(outcome))
                .thenApply(outcome -> new UnregisterBrokerResponseData().setThrottleTimeMs(0).setErrorCode(outcome.error().code())
                        .setErrorMessage(outcome.ok() ? null : outcome.message()));
    }

    /**
     * A decommissioned non-voter also leaves the Raft configuration, so the controller stops sending it the log. The
     * unregistration is already committed: this only waits (boundedly) so the operator's next step sees it done, and
     * a failure is harmless (see docs/cluster.md).
     */
    private CompletableFuture<Void> leaveQuorum(int id) {
        return broker.logs().metadata().log().removeNonVoter(id)
                .completeOnTimeout(false, LEAVE_QUORUM_WAIT_MS, TimeUnit.MILLISECONDS)
                .handle((removed, error) -> null);
    }
}
