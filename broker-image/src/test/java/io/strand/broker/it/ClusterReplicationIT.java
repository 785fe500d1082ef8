package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-level guarantees that need partition replication; the whole class is skipped unless run with
 * {@code -Dstrand.replication=true}.
 */
class ClusterReplicationIT {
    @TempDir
    static Path dir;
    static ClusterProcess cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        ClusterProcess.assumeReplication("ClusterReplicationIT");
        cluster = ClusterProcess.start(dir, 3, Map.of("auto.leader.rebalance.enable", "true", "leader.imbalance.check.interval.ms", "1000"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A broker that lost its disk rejoins empty, fetches everything back, re-enters the ISR and can lead with all the data. */
    @Test
    void brokerWithAnEmptyDiskCatchesUp() throws Exception {
        admin.createTopics(List.of(new NewTopic("rejoin", Map.of(0, List.of(3, 1, 2))).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(20, TimeUnit.SECONDS);
        List<String> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>("rejoin", 0, "k", "v" + i)).get(15, TimeUnit.SECONDS);
                acked.add("v" + i);
            }
        }
        cluster.stop(3);
        cluster.wipe(3);
        cluster.restart(3);
        cluster.awaitBrokers(List.of(1, 2, 3));
        cluster.awaitAdmin(Duration.ofSeconds(30), "broker 3 back in the ISR of rejoin-0",
                () -> cluster.partitions("rejoin").get(0).isr().stream().map(Node::id).toList().contains(3));
        // preferred replica 3 leads again (auto rebalance); it must serve every acknowledged record
        cluster.awaitAdmin(Duration.ofSeconds(30), "broker 3 leads rejoin-0 again", () -> cluster.leaders("rejoin").get(0) == 3);
        // Broker 1 dies too: the rebuilt replica on broker 3 must now serve everything. Only one broker is killed so
        // the metadata quorum keeps its majority (with two of three voters gone it stops, as in Kafka's combined mode).
        cluster.kill(1);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.broker(3).bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> read = Clients.readAll(consumer, new TopicPartition("rejoin", 0), acked.size(), Duration.ofSeconds(20));
            assertThat(read.stream().map(ConsumerRecord::value).toList()).containsExactlyElementsOf(acked);
        }
    }
}
