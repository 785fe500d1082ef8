package io.strand.broker.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** What relay clients are told about the cluster: one node, the relay, and nothing that names a real broker. */
class RelayViewTest {
    private static final RelayNode NODE = new RelayNode(2_000_000_000, "localhost", 9092);

    @Test
    void metadataNamesOnlyTheRelayNode() {
        MetadataResponseData response = new MetadataResponseData().setControllerId(2);
        for (int id = 1; id <= 3; id++) {
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(id).setHost("broker-" + id).setPort(9092));
        }
        MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic().setName("orders");
        topic.partitions().add(partition(0, 3));
        topic.partitions().add(partition(1, -1).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()));
        response.topics().add(topic);

        RelayView.metadata(response, NODE);

        assertThat(response.brokers()).singleElement().satisfies(b -> {
            assertThat(b.nodeId()).isEqualTo(NODE.id());
            assertThat(b.host() + ":" + b.port()).isEqualTo("localhost:9092");
        });
        assertThat(response.controllerId()).isEqualTo(NODE.id());
        MetadataResponseData.MetadataResponsePartition led = response.topics().find("orders").partitions().get(0);
        assertThat(led.leaderId()).isEqualTo(NODE.id());
        assertThat(led.leaderEpoch()).as("epochs pass through: the leaders check them").isEqualTo(7);
        assertThat(led.replicaNodes()).containsExactly(NODE.id());
        assertThat(led.isrNodes()).containsExactly(NODE.id());
        assertThat(led.offlineReplicas()).isEmpty();
        assertThat(response.topics().find("orders").partitions().get(1).leaderId()).as("leaderless stays leaderless").isEqualTo(-1);
    }

    @Test
    void coordinatorsAndClusterAreTheRelayNode() {
        FindCoordinatorResponseData batched = new FindCoordinatorResponseData();
        batched.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("g1").setNodeId(3).setHost("broker-3").setPort(9092));
        batched.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("g2").setNodeId(-1).setHost("").setPort(-1)
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        RelayView.findCoordinator(batched, NODE);
        assertThat(batched.nodeId() + ":" + batched.host() + ":" + batched.port()).as("v4+ top-level fields keep their defaults").isEqualTo("0::0");
        assertThat(batched.coordinators()).extracting(c -> c.key() + "@" + c.nodeId() + ":" + c.host() + ":" + c.port())
                .containsExactly("g1@" + NODE.id() + ":localhost:9092", "g2@-1::-1");

        FindCoordinatorResponseData single = new FindCoordinatorResponseData().setNodeId(2).setHost("broker-2").setPort(9092);
        RelayView.findCoordinator(single, NODE);
        assertThat(single.nodeId() + ":" + single.host()).isEqualTo(NODE.id() + ":localhost");

        DescribeClusterResponseData cluster = new DescribeClusterResponseData().setControllerId(1);
        cluster.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(1).setHost("broker-1").setPort(9092));
        cluster.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(2).setHost("broker-2").setPort(9092));
        RelayView.describeCluster(cluster, NODE);
        assertThat(cluster.brokers()).singleElement().satisfies(b -> assertThat(b.brokerId()).isEqualTo(NODE.id()));
        assertThat(cluster.controllerId()).isEqualTo(NODE.id());
    }

    private static MetadataResponseData.MetadataResponsePartition partition(int index, int leader) {
        return new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(index).setLeaderId(leader).setLeaderEpoch(7)
                .setReplicaNodes(new ArrayList<>(List.of(1, 2, 3))).setIsrNodes(new ArrayList<>(List.of(1, 3))).setOfflineReplicas(new ArrayList<>(List.of(2)));
    }
}
