package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of a 3-broker cluster: kill -9 of a partition leader and of the controller, SIGTERM (controlled shutdown)
 * and the automatic return of preferred leaders. Each test leaves all three brokers running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {
    /** Session timeout (3 s) plus election and propagation. */
    private static final Duration FAILOVER = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(dir, 3, Map.of("auto.leader.rebalance.enable", "true", "leader.imbalance.check.interval.ms", "1000"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Whatever a test did, the next one starts with three running, unfenced brokers. */
    @AfterEach
    void everyBrokerRunning() {
        for (int id : cluster.ids()) {
            if (!cluster.broker(id).isAlive()) {
                cluster.restart(id);
            }
        }
        cluster.awaitBrokers(List.of(1, 2, 3));
    }

    @Test
    @Order(1)
    void produceAndConsumeThroughTheBootstrapList() throws Exception {
        // one replica per partition, spread over the brokers: clients must route each partition to its own leader
        admin.createTopics(List.of(new NewTopic("routed", 6, (short) 1))).all().get(20, TimeUnit.SECONDS);
        assertThat(cluster.leaders("routed")).containsOnly(1, 2, 3).contains(1, 2, 3);
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>("routed", i % 6, "k" + i, "v" + i)).get(15, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrap(), Map.of())) {
            List<TopicPartition> partitions = IntStream.range(0, 6).mapToObj(p -> new TopicPartition("routed", p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> values = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < 60 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).hasSize(60);
        }
    }

    @Test
    @Order(2)
    void killedLeaderIsReplacedFromTheIsr() throws Exception {
        admin.createTopics(List.of(new NewTopic("failover", 3, (short) 3))).all().get(20, TimeUnit.SECONDS);
        TopicPartitionInfo before = cluster.partitions("failover").get(0);
        int leader = before.leader().id();
        List<Integer> isr = before.isr().stream().map(Node::id).toList();

        long killedAt = System.nanoTime();
        cluster.kill(leader);
        cluster.awaitAdmin(FAILOVER, "a new leader for failover-0 after killing " + leader, () -> {
            TopicPartitionInfo now = cluster.partitions("failover").get(0);
            return now.leader() != null && now.leader().id() != leader && isr.contains(now.leader().id());
        });
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
        assertThat(seconds).as("failover time").isLessThanOrEqualTo(FAILOVER.toSeconds());
        TopicPartitionInfo after = cluster.partitions("failover").get(0);
        assertThat(after.isr()).extracting(Node::id).doesNotContain(leader);
        // every partition has a live leader
        assertThat(cluster.leaders("failover")).doesNotContain(leader, -1);
    }

    @Test
    @Order(3)
    void killedControllerIsReplaced() throws Exception {
        int controller = cluster.controller();
        cluster.kill(controller);
        cluster.awaitAdmin(FAILOVER, "a new controller after killing " + controller, () -> {
            int now = cluster.controller();
            return now != controller && now >= 0;
        });
        // the new controller commits metadata: a topic can be created (its replicas on the two live brokers once 'controller' is fenced)
        cluster.awaitAdmin(FAILOVER, "broker " + controller + " fenced",
                () -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().noneMatch(n -> n.id() == controller));
        admin.createTopics(List.of(new NewTopic("after-controller", 2, (short) 2))).all().get(20, TimeUnit.SECONDS);
        cluster.awaitAdmin(FAILOVER, "after-controller has leaders", () -> !cluster.leaders("after-controller").contains(-1));
        assertThat(cluster.partitions("after-controller")).allSatisfy(p -> assertThat(p.replicas()).extracting(Node::id).doesNotContain(controller));
    }

    @Test
    @Order(4)
    void sigtermMovesLeadershipBeforeExit() throws Exception {
        admin.createTopics(List.of(new NewTopic("graceful", 6, (short) 3))).all().get(20, TimeUnit.SECONDS);
        int broker = 2;
        cluster.awaitAdmin(FAILOVER, "broker 2 leads some of 'graceful'", () -> cluster.leaders("graceful").contains(broker));
        cluster.stop(broker);
        // right after the exit, the metadata already has other leaders: no waiting for a session timeout
        List<Integer> leaders = cluster.leaders("graceful");
        assertThat(leaders).as("leaders right after SIGTERM of broker 2").doesNotContain(broker, -1);
        assertThat(cluster.broker(broker).logs()).contains("Controlled shutdown done: no partition is led here");

    }

    @Test
    @Order(5)
    void restartedBrokerGetsItsPreferredLeadershipsBack() throws Exception {
        ClusterProcess.assumeReplication("broker 2 rejoining the ISR after a restart (and then leading its preferred partitions again)");
        admin.createTopics(List.of(new NewTopic("rebalanced", 6, (short) 3))).all().get(20, TimeUnit.SECONDS);
        List<Integer> preferred = cluster.partitions("rebalanced").stream().map(p -> p.replicas().get(0).id()).toList();
        cluster.stop(2);
        assertThat(cluster.leaders("rebalanced")).doesNotContain(2, -1);
        cluster.restart(2);
        cluster.awaitBrokers(List.of(1, 2, 3));
        cluster.awaitAdmin(Duration.ofSeconds(30), "preferred leaders restored by auto leader rebalance",
                () -> cluster.leaders("rebalanced").equals(preferred));
    }

    /** acks=all writes acknowledged before a leader dies are all readable afterwards. */
    @Test
    @Order(6)
    void acknowledgedWritesSurviveLeaderFailover() throws Exception {
        ClusterProcess.assumeReplication("acks=all durability across leader failover");
        admin.createTopics(List.of(new NewTopic("durable", 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(20, TimeUnit.SECONDS);
        List<String> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("durable", 0, "k", "before-" + i)).get(15, TimeUnit.SECONDS);
                acked.add("before-" + i);
            }
            int leader = cluster.leaders("durable").get(0);
            cluster.kill(leader);
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("durable", 0, "k", "after-" + i)).get(30, TimeUnit.SECONDS);
                acked.add("after-" + i);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.liveBootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> read = Clients.readAll(consumer, new TopicPartition("durable", 0), acked.size(), Duration.ofSeconds(30));
            assertThat(read.stream().map(ConsumerRecord::value).toList()).containsExactlyElementsOf(acked);
        }
    }
}
