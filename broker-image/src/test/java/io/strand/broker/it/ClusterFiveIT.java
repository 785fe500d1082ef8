package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Five brokers (and five quorum voters): a topic with three replicas outlives two dead brokers. */
class ClusterFiveIT {
    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        cluster = ClusterProcess.start(dir, 5, Map.of("auto.leader.rebalance.enable", "false"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void rf3TopicSurvivesTwoDeadBrokers() throws Exception {
        // 10 partitions over 5 brokers: each broker leads 2 and holds 6 replicas
        admin.createTopics(List.of(new NewTopic("five", 10, (short) 3).configs(Map.of("min.insync.replicas", "1")))).all().get(20, TimeUnit.SECONDS);
        List<TopicPartitionInfo> partitions = cluster.partitions("five");
        assertThat(partitions).allSatisfy(p -> assertThat(p.replicas()).hasSize(3).doesNotHaveDuplicates());
        assertThat(cluster.leaders("five")).containsOnly(1, 2, 3, 4, 5);

        List<String> acked = new ArrayList<>();
        if (ClusterProcess.REPLICATION) {
            try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("five", 0, "k", "v" + i)).get(15, TimeUnit.SECONDS);
                    acked.add("v" + i);
                }
            }
        }

        // the two brokers holding partition 0's leader and its second replica, one of them possibly the controller
        int first = partitions.get(0).replicas().get(0).id();
        int second = partitions.get(0).replicas().get(1).id();
        Set<Integer> dead = Set.of(first, second);
        cluster.kill(first);
        cluster.kill(second);
        cluster.awaitAdmin(Duration.ofSeconds(20), "every partition of 'five' led by a live broker", () -> {
            List<Integer> leaders = cluster.leaders("five");
            return leaders.stream().noneMatch(l -> l == -1 || dead.contains(l));
        });
        assertThat(cluster.partitions("five").get(0).leader().id()).isEqualTo(partitions.get(0).replicas().get(2).id());
        assertThat(cluster.partitions("five")).allSatisfy(p -> assertThat(p.isr()).extracting(Node::id).doesNotContainAnyElementsOf(dead));
        // the three remaining voters still commit metadata
        admin.createTopics(List.of(new NewTopic("five-after", 3, (short) 3))).all().get(20, TimeUnit.SECONDS);
        assertThat(cluster.partitions("five-after")).allSatisfy(p -> assertThat(p.replicas()).extracting(Node::id).doesNotContainAnyElementsOf(dead));

        if (ClusterProcess.REPLICATION) {
            try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.liveBootstrap(), Map.of())) {
                List<ConsumerRecord<String, String>> read = Clients.readAll(consumer, new TopicPartition("five", 0), acked.size(), Duration.ofSeconds(20));
                assertThat(read.stream().map(ConsumerRecord::value).toList()).containsExactlyElementsOf(acked);
            }
        }
    }
}
