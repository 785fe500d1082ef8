package io.strand.broker.server.relay;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The cluster as relay clients see it: one broker, the relay node, leading and alone replicating every partition
 * and coordinating every group. Rewrites the ordinary handlers' answers in place; pure.
 */
final class RelayView {
    private RelayView() {
    }

    static MetadataResponseData metadata(MetadataResponseData response, RelayNode node) {
        response.brokers().clear();
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(null));
        response.setControllerId(node.id());
        for (MetadataResponseData.MetadataResponseTopic topic : response.topics()) {
            for (MetadataResponseData.MetadataResponsePartition p : topic.partitions()) {
                // a leaderless partition stays leaderless: the client must wait for an election, not send to the relay
                if (p.leaderId() >= 0) {
                    p.setLeaderId(node.id());
                }
                p.setReplicaNodes(new ArrayList<>(List.of(node.id()))).setIsrNodes(new ArrayList<>(List.of(node.id())))
                        .setOfflineReplicas(new ArrayList<>());
            }
        }
        return response;
    }

    static FindCoordinatorResponseData findCoordinator(FindCoordinatorResponseData response, RelayNode node) {
        // the top-level coordinator exists only before v4 (batched keys); from v4 on it must keep its defaults
        boolean single = response.coordinators().isEmpty() && response.host() != null && !response.host().isEmpty();
        if (single && response.errorCode() == Errors.NONE.code() && response.nodeId() >= 0) {
            response.setNodeId(node.id()).setHost(node.host()).setPort(node.port());
        }
        for (FindCoordinatorResponseData.Coordinator c : response.coordinators()) {
            if (c.errorCode() == Errors.NONE.code() && c.nodeId() >= 0) {
                c.setNodeId(node.id()).setHost(node.host()).setPort(node.port());
            }
        }
        return response;
    }

    static DescribeClusterResponseData describeCluster(DescribeClusterResponseData response, RelayNode node) {
        if (response.errorCode() != Errors.NONE.code()) {
            return response;
        }
        response.brokers().clear();
        response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(node.id()).setHost(node.host())
                .setPort(node.port()).setRack(null).setIsFenced(false));
        return response.setControllerId(node.id());
    }
}
