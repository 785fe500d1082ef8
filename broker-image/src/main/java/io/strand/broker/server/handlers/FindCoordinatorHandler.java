package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator: this broker for the groups whose {@code __consumer_offsets} partition it has loaded. Transactions
 * are not supported, so a TRANSACTION key gets a non-retriable error a producer fails on instead of retrying forever.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequestData, FindCoordinatorResponseData> {
    private final BrokerContext broker;

    public FindCoordinatorHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<FindCoordinatorResponseData> handle(RequestContext context, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (context.version() < 4) {
            FindCoordinatorResponseData.Coordinator c = find(request.keyType(), request.key());
            response.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
            if (context.version() >= 1) {
                response.setErrorMessage(c.errorMessage());
            }
            return CompletableFuture.completedFuture(response);
        }
        for (String key : request.coordinatorKeys()) {
            response.coordinators().add(find(request.keyType(), key));
        }
        return CompletableFuture.completedFuture(response);
    }

    private FindCoordinatorResponseData.Coordinator find(byte keyType, String key) {
        FindCoordinatorResponseData.Coordinator out = new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
            return out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setErrorMessage("transactions are not supported by this broker");
        }
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            return out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("coordinator key type " + keyType + " is not supported by this broker");
        }
        if (key == null || key.isEmpty()) {
            return out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("the group id is empty");
        }
        int node = broker.groups().coordinatorNode(key);
        io.strand.broker.server.cluster.BrokerRegistration coordinator = broker.logs().metadata().liveBrokers().get(node);
        if (node == broker.nodeId()) {
            Errors error = broker.groups().coordinatorFor(key);
            if (error != Errors.NONE) {
                return out.setErrorCode(error.code()).setErrorMessage(error.message());
            }
            return out.setErrorCode(Errors.NONE.code()).setNodeId(broker.nodeId()).setHost(broker.advertised().host()).setPort(broker.advertised().port());
        }
        if (coordinator == null) {
            return out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(Errors.COORDINATOR_NOT_AVAILABLE.message());
        }
        return out.setErrorCode(Errors.NONE.code()).setNodeId(node).setHost(coordinator.host()).setPort(coordinator.port());
    }
}
