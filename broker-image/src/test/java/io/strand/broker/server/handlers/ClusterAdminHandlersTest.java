package io.strand.broker.server.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.SingleNode;
import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.cluster.MetadataRecord;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.log.LogManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reassignment, election and unregistration handlers against a local metadata log where brokers 2 and 3 exist
 * only as registrations (broker 3 fenced), and this broker (1) leads every partition.
 */
class ClusterAdminHandlersTest {
    @TempDir
    Path dir;
    LogManager logs;
    ApiHandlers handlers;
    DefaultEventExecutor executor;

    @BeforeEach
    void setUp() throws Exception {
        BrokerConfig config = BrokerConfig.from(Map.of("log.dirs", dir.toString(), "listeners", "PLAINTEXT://127.0.0.1:9092"));
        logs = SingleNode.logManager(config, dir.resolve("meta"));
        for (int id : List.of(2, 3)) {
            logs.metadata().submit(new MetadataRecord.RegisterBroker(new BrokerRegistration(id, "127.0.0.1", 9090 + id, null, id, true, false)))
                    .get(5, TimeUnit.SECONDS);
        }
        logs.metadata().submit(new MetadataRecord.UnfenceBroker(2, 2)).get(5, TimeUnit.SECONDS);
        logs.createTopic("t", 2, (short) 3, List.of(List.of(1, 2, 3), List.of(1, 2)), Map.of());
        handlers = ApiHandlers.standard(new BrokerContext(config, "cluster", logs, null, null), null);
        executor = new DefaultEventExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        logs.close();
    }

    @Test
    void reassignListAndCancel() throws Exception {
        AlterPartitionReassignmentsResponseData altered = alter(0, List.of(1, 2));
        assertThat(altered.responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(logs.metadata().image().topics().get("t").partitions().get(0).replicas()).containsExactly(1, 2);
        assertThat(list().topics()).isEmpty();

        // adding broker 3 waits for it to join the ISR
        assertThat(alter(1, List.of(1, 2, 3)).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        ListPartitionReassignmentsResponseData.OngoingPartitionReassignment ongoing = list().topics().get(0).partitions().get(0);
        assertThat(ongoing.partitionIndex()).isEqualTo(1);
        assertThat(ongoing.addingReplicas()).containsExactly(3);
        assertThat(ongoing.removingReplicas()).isEmpty();

        assertThat(alter(1, null).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(list().topics()).isEmpty();
        assertThat(logs.metadata().image().topics().get("t").partitions().get(1).replicas()).containsExactly(1, 2);

        assertThat(alter(1, null).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS.code());
        assertThat(alter(1, List.of(1, 7)).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(alter(1, List.of(1, 1)).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(alter(5, List.of(1)).responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void preferredElectionErrors() throws Exception {
        alter(0, List.of(3, 1, 2));
        ElectLeadersResponseData response = elect((byte) 0, List.of(0, 1, 9));
        List<ElectLeadersResponseData.PartitionResult> results = response.replicaElectionResults().get(0).partitionResult();
        assertThat(results).extracting(ElectLeadersResponseData.PartitionResult::errorCode).containsExactly(
                Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(), Errors.ELECTION_NOT_NEEDED.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(0).errorMessage()).contains("preferred replica 3");
        assertThat(elect((byte) 1, List.of(0)).replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                .isEqualTo(Errors.ELECTION_NOT_NEEDED.code());
    }

    @Test
    void unregisterOnlyWithoutReplicas() throws Exception {
        UnregisterBrokerResponseData refused = unregister(3);
        assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(refused.errorMessage()).contains("still holds 1 replica");
        assertThat(unregister(42).errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
        alter(0, List.of(1, 2));
        assertThat(unregister(3).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(logs.metadata().image().brokers()).doesNotContainKey(3);
        assertThat(unregister(3).errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    private AlterPartitionReassignmentsResponseData alter(int partition, List<Integer> replicas) throws Exception {
        return call(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, (short) 1, new AlterPartitionReassignmentsRequestData().setTopics(List.of(
                new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("t").setPartitions(List.of(
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(partition).setReplicas(replicas))))));
    }

    private ListPartitionReassignmentsResponseData list() throws Exception {
        return call(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0, new ListPartitionReassignmentsRequestData().setTopics(null));
    }

    private ElectLeadersResponseData elect(byte type, List<Integer> partitions) throws Exception {
        ElectLeadersRequestData.TopicPartitionsCollection topics = new ElectLeadersRequestData.TopicPartitionsCollection();
        topics.add(new ElectLeadersRequestData.TopicPartitions().setTopic("t").setPartitions(partitions));
        return call(ApiKeys.ELECT_LEADERS, (short) 2, new ElectLeadersRequestData().setElectionType(type).setTopicPartitions(topics));
    }

    private UnregisterBrokerResponseData unregister(int id) throws Exception {
        return call(ApiKeys.UNREGISTER_BROKER, (short) 0, new UnregisterBrokerRequestData().setBrokerId(id));
    }

    @SuppressWarnings("unchecked")
    private <R extends ApiMessage> R call(ApiKeys key, short version, ApiMessage request) throws Exception {
        RequestContext context = new RequestContext(new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version).setClientId("test"),
                key, version, new InetSocketAddress("127.0.0.1", 1), executor);
        return (R) handlers.get(key).handle(context, request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
