package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** DescribeCluster: the cluster id, the controller and the brokers (endpoint type 1); controllers are not exposed. */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequestData, DescribeClusterResponseData> {
    private static final byte BROKERS = 1;
    private final BrokerContext broker;

    public DescribeClusterHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<DescribeClusterResponseData> handle(RequestContext context, DescribeClusterRequestData request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData().setThrottleTimeMs(0).setEndpointType(request.endpointType());
        if (request.endpointType() != BROKERS) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type " + request.endpointType()));
        }
        int controller = broker.logs().metadata().controllerId();
        response.setErrorCode(Errors.NONE.code()).setClusterId(broker.clusterId())
                .setControllerId(broker.logs().metadata().liveBrokers().containsKey(controller) ? controller : broker.nodeId());
        // fenced brokers only on request (v2, includeFencedBrokers), like Kafka
        broker.logs().metadata().image().brokers().values().stream().filter(b -> !b.fenced() || request.includeFencedBrokers())
                .forEach(b -> response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                        .setBrokerId(b.id()).setHost(b.host()).setPort(b.port()).setRack(b.rack()).setIsFenced(b.fenced())));
        if (request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(Authorization.ALL_CLUSTER_OPERATIONS);
        }
        return CompletableFuture.completedFuture(response);
    }
}
