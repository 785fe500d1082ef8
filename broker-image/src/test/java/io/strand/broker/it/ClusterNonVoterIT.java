package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three quorum voters (1-3) and two non-voting brokers (4, 5), as the Kubernetes operator runs them: the non-voters
 * hold replicas, lead partitions and serve clients like any broker, survive kill -9 and the loss of their disk, follow
 * a new controller, and leave the quorum when decommissioned. The tests build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNonVoterIT {
    /** Session timeout (3 s) plus election and propagation. */
    private static final Duration FAILOVER = Duration.ofSeconds(20);
    private static final String TOPIC = "spread";
    private static final String GROUP = "non-voter-group";
    private static final List<Integer> ALL = List.of(1, 2, 3, 4, 5);

    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;
    /** Every value acknowledged by acks=all, in no particular order. */
    static final Set<String> acked = new HashSet<>();

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(dir, 5, 3, Map.of("auto.leader.rebalance.enable", "false"));
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
    void nonVotersHoldReplicasLeadAndServeClients() throws Exception {
        assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id).containsExactlyInAnyOrderElementsOf(ALL);
        assertThat(cluster.controller()).as("only voters become controller").isIn(1, 2, 3);
        assertThat(cluster.broker(4).logs()).contains("Broker 4 is a non-voting member of the metadata quorum");

        admin.createTopics(List.of(new NewTopic(TOPIC, 10, (short) 3).configs(Map.of("min.insync.replicas", "2")))).all().get(20, TimeUnit.SECONDS);
        List<TopicPartitionInfo> partitions = cluster.partitions(TOPIC);
        Set<Integer> holders = new HashSet<>();
        partitions.forEach(p -> p.replicas().forEach(n -> holders.add(n.id())));
        assertThat(holders).containsExactlyInAnyOrderElementsOf(ALL);
        assertThat(cluster.leaders(TOPIC)).contains(4, 5);
        cluster.awaitAdmin(FAILOVER, "every replica of '" + TOPIC + "' in sync",
                () -> cluster.partitions(TOPIC).stream().allMatch(p -> p.isr().size() == 3));

        produce("first", 300);
        try (KafkaConsumer<String, String> consumer = groupConsumer()) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(poll(consumer, 300)).containsExactlyInAnyOrderElementsOf(acked);
            consumer.commitSync(Duration.ofSeconds(15));
        }
    }

    @Test
    @Order(2)
    void killedNonVoterRejoinsWithAnEmptyDisk() throws Exception {
        int victim = 4;
        assertThat(cluster.leaders(TOPIC)).contains(victim);
        cluster.kill(victim);
        cluster.awaitAdmin(FAILOVER, "every partition of '" + TOPIC + "' led by a live broker after killing " + victim,
                () -> cluster.leaders(TOPIC).stream().noneMatch(l -> l == victim || l == -1));
        // clients continue: acks=all still reaches min.insync.replicas=2, and the group resumes at its commit
        produce("while-down", 100);
        try (KafkaConsumer<String, String> consumer = groupConsumer()) {
            consumer.subscribe(List.of(TOPIC));
            List<String> resumed = poll(consumer, 100);
            assertThat(resumed).hasSize(100).allMatch(v -> v.startsWith("while-down-"));
            consumer.commitSync(Duration.ofSeconds(15));
        }

        // the volume is lost: the broker comes back empty, joins the quorum again and copies its replicas back
        cluster.wipe(victim);
        cluster.restart(victim);
        cluster.awaitBrokers(ALL);
        cluster.awaitAdmin(Duration.ofSeconds(40), "broker " + victim + " back in the ISR of all its partitions",
                () -> cluster.partitions(TOPIC).stream().filter(p -> p.replicas().stream().anyMatch(n -> n.id() == victim))
                        .allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == victim)));
        String log = cluster.broker(victim).logs();
        assertThat(log.split("is a non-voting member of the metadata quorum", -1)).as("joined twice").hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(3)
    void nonVoterFollowsANewController() throws Exception {
        int controller = cluster.controller();
        assertThat(controller).isIn(1, 2, 3);
        cluster.kill(controller);
        try (Admin viaFour = Clients.admin(cluster.broker(4).bootstrap()); Admin viaFive = Clients.admin(cluster.broker(5).bootstrap())) {
            cluster.awaitAdmin(FAILOVER, "non-voter 4 naming a new controller",
                    () -> {
                        int now = viaFour.describeCluster().controller().get(5, TimeUnit.SECONDS).id();
                        return now != controller && now >= 1 && now <= 3;
                    });
            // proposed through one non-voter, applied by the other from the new controller's log
            viaFive.createTopics(List.of(new NewTopic("after-controller", 2, (short) 2))).all().get(20, TimeUnit.SECONDS);
            cluster.awaitAdmin(FAILOVER, "non-voter 4 serving metadata of 'after-controller'", () -> {
                TopicDescription topic = viaFour.describeTopics(List.of("after-controller")).allTopicNames().get(5, TimeUnit.SECONDS).get("after-controller");
                return topic.partitions().size() == 2 && topic.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() != controller);
            });
        }
        produce("new-controller", 50);
        cluster.restart(controller);
        cluster.awaitBrokers(ALL);
    }

    @Test
    @Order(4)
    void decommissionedNonVoterLeavesTheQuorum() throws Exception {
        int leaving = 5;
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo p : topic.partitions()) {
                List<Integer> replicas = p.replicas().stream().map(Node::id).toList();
                if (replicas.contains(leaving)) {
                    List<Integer> target = new ArrayList<>(replicas);
                    target.remove(Integer.valueOf(leaving));
                    ALL.stream().filter(b -> b != leaving && !target.contains(b)).findFirst().ifPresent(target::add);
                    moves.put(new TopicPartition(topic.name(), p.partition()), Optional.of(new NewPartitionReassignment(target)));
                }
            }
        }
        assertThat(moves).isNotEmpty();
        admin.alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);
        cluster.awaitAdmin(Duration.ofSeconds(40), "no replica on broker " + leaving, () -> {
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    if (p.replicas().stream().anyMatch(n -> n.id() == leaving) || p.leader() == null || p.leader().id() == leaving) {
                        return false;
                    }
                }
            }
            return admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).isEmpty();
        });

        cluster.stop(leaving);
        admin.unregisterBroker(leaving).all().get(30, TimeUnit.SECONDS);
        cluster.awaitAdmin(FAILOVER, "describeCluster without broker " + leaving,
                () -> admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes().get(10, TimeUnit.SECONDS)
                        .stream().map(Node::id).sorted().toList().equals(List.of(1, 2, 3, 4)));
        assertThat(ALL.stream().filter(id -> id != leaving).map(id -> cluster.broker(id).logs()))
                .as("some broker took broker " + leaving + " out of the Raft configuration")
                .anyMatch(log -> log.contains("Broker " + leaving + " is no longer a member of the metadata quorum"));

        // the four remaining brokers carry on, and every acknowledged record is still there
        admin.createTopics(List.of(new NewTopic("after-decom", 4, (short) 3))).all().get(20, TimeUnit.SECONDS);
        assertThat(cluster.partitions("after-decom")).allSatisfy(p -> assertThat(p.replicas()).extracting(Node::id).doesNotContain(leaving));
        try (KafkaConsumer<String, String> reader = Clients.consumer(cluster.liveBootstrap(), Map.of())) {
            Set<String> read = new HashSet<>();
            for (int p = 0; p < 10; p++) {
                Clients.readAll(reader, new TopicPartition(TOPIC, p), Integer.MAX_VALUE, Duration.ofSeconds(2)).forEach(r -> read.add(r.value()));
            }
            assertThat(read).containsAll(acked);
        }
    }

    private static void produce(String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.liveBootstrap(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, "k" + i, prefix + "-" + i)));
            }
            for (int i = 0; i < count; i++) {
                sends.get(i).get(30, TimeUnit.SECONDS);
                acked.add(prefix + "-" + i);
            }
        }
    }

    private static KafkaConsumer<String, String> groupConsumer() {
        return Clients.consumer(cluster.liveBootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Polls (bounded) until {@code count} records arrived; returns their values. */
    private static List<String> poll(KafkaConsumer<String, String> consumer, int count) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (values.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        return values;
    }
}
