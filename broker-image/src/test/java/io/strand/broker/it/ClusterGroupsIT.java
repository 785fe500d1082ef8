package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer group on a 3-broker cluster: its coordinator (the leader of the group's __consumer_offsets partition)
 * is killed with -9; the group moves to another broker with every committed offset, and consumption resumes exactly
 * where it was committed.
 */
class ClusterGroupsIT {
    private static final int RECORDS = 3000;

    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(dir, 3, Map.of("group.initial.rebalance.delay.ms", "0"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void committedOffsetsSurviveTheCoordinatorsDeath() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(20, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>("orders", "k" + i, "v" + i));
            }
            producer.flush();
        }

        Set<String> seen = new HashSet<>();
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (KafkaConsumer<String, String> first = groupConsumer()) {
            first.subscribe(List.of("orders"));
            poll(first, seen, RECORDS / 2);
            first.commitSync(Duration.ofSeconds(15));
            committed = first.committed(Set.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("orders", 2)),
                    Duration.ofSeconds(15));
        }
        int coordinator = admin.describeConsumerGroups(List.of("billing")).all().get(15, TimeUnit.SECONDS).get("billing").coordinator().id();
        cluster.kill(coordinator);

        try (Admin survivor = Clients.admin(cluster.liveBootstrap())) {
            ClusterProcess.await(Duration.ofSeconds(30), "a new coordinator with the committed offsets", () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> now = survivor.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata()
                            .get(5, TimeUnit.SECONDS);
                    return now.entrySet().stream().allMatch(e -> committed.get(e.getKey()) == null || committed.get(e.getKey()).offset() == e.getValue().offset())
                            && now.keySet().containsAll(committed.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList());
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
        Set<String> resumed = new HashSet<>();
        try (KafkaConsumer<String, String> second = groupConsumer()) {
            second.subscribe(List.of("orders"));
            poll(second, resumed, RECORDS - seen.size());
        }
        assertThat(resumed).as("records read again after the commit").doesNotContainAnyElementsOf(seen);
        Set<String> all = new HashSet<>(seen);
        all.addAll(resumed);
        assertThat(all).hasSize(RECORDS);
    }

    private static KafkaConsumer<String, String> groupConsumer() {
        return Clients.consumer(cluster.liveBootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Polls until {@code count} records arrived (bounded), stopping exactly there so the commit marks that position. */
    private static void poll(KafkaConsumer<String, String> consumer, Set<String> into, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int read = 0;
        while (read < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                into.add(record.value());
                read++;
            }
        }
        assertThat(read).as("records consumed").isGreaterThanOrEqualTo(count);
    }
}
