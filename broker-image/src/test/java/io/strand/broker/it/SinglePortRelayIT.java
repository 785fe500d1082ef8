package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.io.DataOutputStream;
import java.net.Socket;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Three brokers reached through ONE forwarded port (docs/single-port.md): the clients under test are given only the
 * forwarded address of broker 1's relay listener, while the partitions they use are led by all three brokers.
 * The last test stops a broker, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SinglePortRelayIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static RelayCluster cluster;
    static Admin relayAdmin;
    static Admin directAdmin;

    @BeforeAll
    static void start() throws Exception {
        cluster = RelayCluster.start(dir, 3);
        relayAdmin = Clients.admin(cluster.relayBootstrap());
        directAdmin = Clients.admin(cluster.directBootstrap());
    }

    @AfterAll
    static void stop() {
        for (Admin admin : new Admin[] {relayAdmin, directAdmin}) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void adminSeesOneBrokerThatLeadsEverything() throws Exception {
        List<Node> nodes = new ArrayList<>(relayAdmin.describeCluster().nodes().get(15, TimeUnit.SECONDS));
        assertThat(nodes).extracting(n -> n.id() + "@" + n.host() + ":" + n.port())
                .containsExactly(RelayCluster.RELAY_NODE_ID + "@127.0.0.1:" + cluster.relayPort());
        assertThat(relayAdmin.describeCluster().controller().get(15, TimeUnit.SECONDS).id()).isEqualTo(RelayCluster.RELAY_NODE_ID);

        createThroughRelay("orders", 6);
        TopicDescription seen = relayAdmin.describeTopics(List.of("orders")).allTopicNames().get(15, TimeUnit.SECONDS).get("orders");
        assertThat(seen.partitions()).hasSize(6).allSatisfy(p -> {
            assertThat(p.leader().id()).isEqualTo(RelayCluster.RELAY_NODE_ID);
            assertThat(p.replicas()).extracting(Node::id).containsExactly(RelayCluster.RELAY_NODE_ID);
            assertThat(p.isr()).extracting(Node::id).containsExactly(RelayCluster.RELAY_NODE_ID);
        });
        assertThat(realLeaders("orders")).as("the real leaders, seen through an ordinary listener").containsOnly(1, 2, 3).contains(1, 2, 3);
    }

    @Test
    @Order(2)
    void idempotentProducerAndConsumerGroupThroughTheRelay() throws Exception {
        createThroughRelay("events", 6);
        assertThat(realLeaders("events")).contains(1, 2, 3);
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.relayBootstrap(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                acks.add(producer.send(new ProducerRecord<>("events", i % 6, "k" + i, "v" + i)));
                sent.add("v" + i);
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
        for (String protocol : List.of("classic", "consumer")) {
            String group = "relay-" + protocol;
            try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.relayBootstrap(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol))) {
                consumer.subscribe(List.of("events"));
                Set<String> read = new HashSet<>();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (read.size() < sent.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
                }
                assertThat(read).as(protocol + " group reads everything").isEqualTo(sent);
                consumer.commitSync(Duration.ofSeconds(15));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = relayAdmin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).as(group + " committed offsets").isEqualTo(600);
        }
        // groups of any coordinator, in one admin request each, as admin clients batch them for the one node they see
        assertThat(relayAdmin.describeConsumerGroups(List.of("relay-classic", "relay-consumer")).all().get(15, TimeUnit.SECONDS))
                .containsOnlyKeys("relay-classic", "relay-consumer");
        assertThat(relayAdmin.listGroups().all().get(15, TimeUnit.SECONDS)).extracting(GroupListing::groupId)
                .contains("relay-classic", "relay-consumer");
    }

    @Test
    @Order(3)
    void deleteRecordsAndListOffsetsReachEveryLeader() throws Exception {
        Map<TopicPartition, RecordsToDelete> cut = IntStream.range(0, 6).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition("events", p), p -> RecordsToDelete.beforeOffset(10)));
        Map<TopicPartition, DeletedRecords> deleted = new java.util.HashMap<>();
        for (var e : relayAdmin.deleteRecords(cut).lowWatermarks().entrySet()) {
            deleted.put(e.getKey(), e.getValue().get(15, TimeUnit.SECONDS));
        }
        assertThat(deleted.values()).hasSize(6).allSatisfy(d -> assertThat(d.lowWatermark()).isEqualTo(10));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.relayBootstrap(), Map.of())) {
            Map<TopicPartition, Long> start = consumer.beginningOffsets(cut.keySet(), Duration.ofSeconds(15));
            Map<TopicPartition, Long> end = consumer.endOffsets(cut.keySet(), Duration.ofSeconds(15));
            assertThat(start.values()).containsOnly(10L);
            assertThat(end.values()).containsOnly(100L);
        }
    }

    @Test
    @Order(3)
    void malformedRequestClosesOnlyItsConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", cluster.relayPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(8);
            out.writeShort(0x7fff); // no such API key
            out.writeShort(0);
            out.writeInt(1);
            out.flush();
            assertThat(socket.getInputStream().read()).as("the broker closes the connection").isEqualTo(-1);
        }
        assertThat(relayAdmin.describeCluster().nodes().get(15, TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    @Order(3)
    void kcatListsProducesAndConsumesThroughTheRelay() throws Exception {
        String kcat = ExternalTool.requireOnPath("kcat", "apt-get install kcat").toString();
        createThroughRelay("kcat-relayed", 3);
        String bootstrap = cluster.relayBootstrap();
        ExternalTool.Result list = ExternalTool.run(List.of(kcat, "-b", bootstrap, "-L", "-t", "kcat-relayed"), Map.of(), null, Duration.ofSeconds(60));
        assertThat(list.stdout()).as(list.output()).contains(" 1 brokers:")
                .contains("broker " + RelayCluster.RELAY_NODE_ID + " at 127.0.0.1:" + cluster.relayPort())
                .contains("topic \"kcat-relayed\" with 3 partitions:")
                .contains("leader " + RelayCluster.RELAY_NODE_ID);
        List<String> lines = IntStream.range(0, 90).mapToObj(i -> "key-" + i + ":value-" + i).toList();
        ExternalTool.Result produce = ExternalTool.run(List.of(kcat, "-P", "-b", bootstrap, "-t", "kcat-relayed", "-K:", "-X", "acks=all"),
                Map.of(), String.join("\n", lines) + "\n", Duration.ofSeconds(60));
        assertThat(produce.exitCode()).as(produce.output()).isZero();
        ExternalTool.Result consume = ExternalTool.run(List.of(kcat, "-C", "-b", bootstrap, "-t", "kcat-relayed", "-e", "-q", "-f", "%k:%s\\n"),
                Map.of(), null, Duration.ofSeconds(60));
        assertThat(consume.exitCode()).as(consume.output()).isZero();
        assertThat(consume.stdout().lines().sorted().toList()).as(consume.output()).isEqualTo(lines.stream().sorted().toList());
    }

    @Test
    @Order(4)
    void leaderMovingWhileProducingLosesNoAcknowledgedRecord() throws Exception {
        createThroughRelay("moving", 6);
        ClusterProcess.await(WAIT, "broker 3 leads part of 'moving'", () -> leadersOrEmpty("moving").contains(3));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        int total;
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.relayBootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            int i = 0;
            long stopAt = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                String value = "m" + i;
                producer.send(new ProducerRecord<>("moving", i % 6, "k" + i, value), (meta, e) -> {
                    if (e == null) {
                        acked.add(value);
                    } else {
                        failures.add(e);
                    }
                });
                i++;
                if (stopAt == 0 && acked.size() >= 300) {
                    stopAt = acked.size();
                    cluster.broker(3).stop(); // SIGTERM: its leaderships move to the other in-sync replicas
                }
                if (stopAt > 0 && acked.size() >= stopAt + 600) {
                    break;
                }
                Thread.sleep(2);
            }
            total = i;
            producer.flush();
        }
        assertThat(failures).as("failed sends").isEmpty();
        assertThat(acked).as("every send acknowledged").hasSize(total);
        assertThat(cluster.broker(3).isAlive()).isFalse();
        assertThat(leadersOrEmpty("moving")).doesNotContain(3);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.relayBootstrap(), Map.of())) {
            List<TopicPartition> partitions = IntStream.range(0, 6).mapToObj(p -> new TopicPartition("moving", p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> read = new HashSet<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!read.containsAll(acked) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            }
            Set<String> missing = acked.stream().filter(v -> !read.contains(v)).collect(Collectors.toSet());
            assertThat(missing).as("acknowledged records missing after the leader moved").isEmpty();
        }
    }

    private static void createThroughRelay(String topic, int partitions) throws Exception {
        relayAdmin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(20, TimeUnit.SECONDS);
        ClusterProcess.await(WAIT, topic + " has leaders", () -> !leadersOrEmpty(topic).isEmpty() && !leadersOrEmpty(topic).contains(-1));
    }

    private static List<Integer> realLeaders(String topic) throws Exception {
        TopicDescription d = directAdmin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        return d.partitions().stream().map(TopicPartitionInfo::leader).map(n -> n == null ? -1 : n.id()).toList();
    }

    private static List<Integer> leadersOrEmpty(String topic) {
        try {
            return realLeaders(topic);
        } catch (Exception notYet) {
            return List.of();
        }
    }
}
