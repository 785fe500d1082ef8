package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's view of a 3-broker cluster through the Java Admin client: metadata from every broker, replica
 * placement, reassignments, preferred leader election and decommissioning a broker. Automatic leader rebalancing is
 * off so that elections happen only when the test asks. Decommission runs last: it removes broker 3 for good.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterAdminIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(dir, 3, Map.of("auto.leader.rebalance.enable", "false"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyBrokerKnowsAllThree() throws Exception {
        admin.createTopics(List.of(new NewTopic("everywhere", 3, (short) 3))).all().get(20, TimeUnit.SECONDS);
        for (int id : cluster.ids()) {
            String only = cluster.broker(id).bootstrap();
            try (Admin single = Clients.admin(only)) {
                assertThat(single.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(single.describeCluster().controller().get(10, TimeUnit.SECONDS).id()).isIn(1, 2, 3);
            }
            // the consumer's partitionsFor goes through the Metadata API
            try (KafkaConsumer<String, String> consumer = Clients.consumer(only, Map.of())) {
                cluster.awaitAdmin(WAIT, "broker " + id + " lists every replica of 'everywhere'", () -> {
                    List<PartitionInfo> partitions = consumer.partitionsFor("everywhere", Duration.ofSeconds(5));
                    return partitions.size() == 3 && partitions.stream().allMatch(p -> p.leader() != null && p.replicas().length == 3
                            && Set.of(p.replicas()).stream().map(Node::id).collect(Collectors.toSet()).equals(Set.of(1, 2, 3)));
                });
            }
        }
    }

    @Test
    @Order(2)
    void replicasAndLeadersAreSpread() throws Exception {
        admin.createTopics(List.of(new NewTopic("spread", 6, (short) 3))).all().get(20, TimeUnit.SECONDS);
        List<TopicPartitionInfo> partitions = cluster.partitions("spread");
        assertThat(partitions).hasSize(6);
        for (TopicPartitionInfo p : partitions) {
            assertThat(p.replicas()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(p.isr()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(p.leader().id()).isEqualTo(p.replicas().get(0).id());
        }
        Map<Integer, Long> ledBy = partitions.stream().collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
        assertThat(ledBy).as("leaders of 'spread'").containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
    }

    @Test
    @Order(3)
    void reassignShrinksAndGrowsReplicas() throws Exception {
        admin.createTopics(List.of(new NewTopic("moves", Map.of(0, List.of(1, 2, 3), 1, List.of(1, 2, 3))))).all().get(20, TimeUnit.SECONDS);
        TopicPartition p0 = new TopicPartition("moves", 0);
        TopicPartition p1 = new TopicPartition("moves", 1);

        // dropping a replica needs no data movement: done at once
        admin.alterPartitionReassignments(Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(1, 2))))).all().get(20, TimeUnit.SECONDS);
        cluster.awaitAdmin(WAIT, "moves-0 on [1, 2]", () -> replicas(cluster.partitions("moves").get(0)).equals(List.of(1, 2)));
        assertThat(admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS)).doesNotContainKey(p0);

        // adding one back: in progress until broker 3 caught up and joined the ISR
        admin.alterPartitionReassignments(Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(1, 2, 3))))).all().get(20, TimeUnit.SECONDS);
        Map<TopicPartition, PartitionReassignment> ongoing = admin.listPartitionReassignments(Set.of(p0, p1)).reassignments().get(10, TimeUnit.SECONDS);
        if (ongoing.containsKey(p0)) {
            assertThat(ongoing.get(p0).replicas()).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(ongoing.get(p0).addingReplicas()).containsExactly(3);
            assertThat(ongoing.get(p0).removingReplicas()).isEmpty();
        }
        assertThat(ongoing).doesNotContainKey(p1);
        assertThat(replicas(cluster.partitions("moves").get(0))).containsExactlyInAnyOrder(1, 2, 3);
        if (ClusterProcess.REPLICATION) {
            cluster.awaitAdmin(WAIT, "moves-0 reassignment to [1, 2, 3] completes",
                    () -> !admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).containsKey(p0)
                            && cluster.partitions("moves").get(0).isr().size() == 3);
        } else {
            // without replication broker 3 never joins the ISR: cancel, which restores the replicas [1, 2]
            assertThat(ongoing).containsKey(p0);
            admin.alterPartitionReassignments(Map.of(p0, Optional.empty())).all().get(20, TimeUnit.SECONDS);
            assertThat(admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS)).doesNotContainKey(p0);
            assertThat(replicas(cluster.partitions("moves").get(0))).containsExactly(1, 2);
        }

        // refusals
        assertThat(ClusterProcess.failure(() -> admin.alterPartitionReassignments(Map.of(p1, Optional.empty())).all().get(20, TimeUnit.SECONDS) != null))
                .isInstanceOf(NoReassignmentInProgressException.class);
        assertThat(ClusterProcess.failure(() -> admin.alterPartitionReassignments(
                Map.of(p1, Optional.of(new NewPartitionReassignment(List.of(1, 9))))).all().get(20, TimeUnit.SECONDS) != null))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThat(ClusterProcess.failure(() -> admin.alterPartitionReassignments(
                Map.of(new TopicPartition("moves", 7), Optional.of(new NewPartitionReassignment(List.of(1))))).all().get(20, TimeUnit.SECONDS) != null))
                .isInstanceOf(org.apache.kafka.common.errors.UnknownTopicOrPartitionException.class);
    }

    @Test
    @Order(4)
    void preferredLeaderElection() throws Exception {
        admin.createTopics(List.of(new NewTopic("elect", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1))))).all().get(20, TimeUnit.SECONDS);
        TopicPartition p0 = new TopicPartition("elect", 0);
        TopicPartition p1 = new TopicPartition("elect", 1);
        assertThat(cluster.leaders("elect")).containsExactly(1, 2);

        // reordering the replicas changes the preferred replica but not the leader
        admin.alterPartitionReassignments(Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(3, 1, 2))))).all().get(20, TimeUnit.SECONDS);
        cluster.awaitAdmin(WAIT, "elect-0 replicas reordered", () -> replicas(cluster.partitions("elect").get(0)).equals(List.of(3, 1, 2)));
        assertThat(cluster.leaders("elect")).containsExactly(1, 2);

        Map<TopicPartition, Optional<Throwable>> result = admin.electLeaders(ElectionType.PREFERRED, Set.of(p0, p1)).partitions().get(20, TimeUnit.SECONDS);
        assertThat(result.get(p0)).isEmpty();
        assertThat(result.get(p1)).containsInstanceOf(ElectionNotNeededException.class);
        cluster.awaitAdmin(WAIT, "broker 3 leads elect-0", () -> cluster.leaders("elect").equals(List.of(3, 2)));

        // all partitions (null): partitions already led by their preferred replica are not reported
        Map<TopicPartition, Optional<Throwable>> all = admin.electLeaders(ElectionType.PREFERRED, null).partitions().get(20, TimeUnit.SECONDS);
        assertThat(all).doesNotContainKeys(p0, p1);

        Map<TopicPartition, Optional<Throwable>> unclean = admin.electLeaders(ElectionType.UNCLEAN, Set.of(p0)).partitions().get(20, TimeUnit.SECONDS);
        assertThat(unclean.get(p0)).containsInstanceOf(ElectionNotNeededException.class);
    }

    @Test
    @Order(10)
    void decommissionBroker3() throws Exception {
        admin.createTopics(List.of(new NewTopic("decom", 6, (short) 2))).all().get(20, TimeUnit.SECONDS);
        Throwable refused = ClusterProcess.failure(() -> admin.unregisterBroker(3).all().get(20, TimeUnit.SECONDS) == null);
        assertThat(refused).isInstanceOf(InvalidRequestException.class);
        assertThat(refused.getMessage()).contains("still holds").contains("replica");
        assertThat(ClusterProcess.failure(() -> admin.unregisterBroker(42).all().get(20, TimeUnit.SECONDS) == null))
                .isInstanceOf(BrokerIdNotRegisteredException.class);

        // move every replica off broker 3: with replication onto another broker, without it by dropping the replica
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo p : topic.partitions()) {
                List<Integer> replicas = replicas(p);
                if (!replicas.contains(3)) {
                    continue;
                }
                List<Integer> target = new java.util.ArrayList<>(replicas);
                target.remove(Integer.valueOf(3));
                if (ClusterProcess.REPLICATION || target.isEmpty()) {
                    List.of(1, 2).stream().filter(b -> !target.contains(b)).findFirst().ifPresent(target::add);
                }
                moves.put(new TopicPartition(topic.name(), p.partition()), Optional.of(new NewPartitionReassignment(target)));
            }
        }
        assertThat(moves).isNotEmpty();
        admin.alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);
        cluster.awaitAdmin(Duration.ofSeconds(30), "no replica on broker 3", () -> {
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    if (replicas(p).contains(3) || p.leader() == null || p.leader().id() == 3) {
                        return false;
                    }
                }
            }
            return admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).isEmpty();
        });

        cluster.stop(3);
        admin.unregisterBroker(3).all().get(20, TimeUnit.SECONDS);
        cluster.awaitAdmin(WAIT, "describeCluster without broker 3",
                () -> admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions().includeFencedBrokers(true))
                        .nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList().equals(List.of(1, 2)));
        assertThat(ClusterProcess.failure(() -> admin.unregisterBroker(3).all().get(20, TimeUnit.SECONDS) == null))
                .isInstanceOf(BrokerIdNotRegisteredException.class);
        // the two remaining brokers (a majority of the three voters) still run the cluster
        admin.createTopics(List.of(new NewTopic("after-decom", 2, (short) 2))).all().get(20, TimeUnit.SECONDS);
        assertThat(cluster.partitions("after-decom")).allSatisfy(p -> assertThat(replicas(p)).containsExactlyInAnyOrder(1, 2));
    }

    static List<Integer> replicas(TopicPartitionInfo p) {
        return p.replicas().stream().map(Node::id).toList();
    }
}
