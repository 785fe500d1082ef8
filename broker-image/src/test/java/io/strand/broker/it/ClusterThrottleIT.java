package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reassignment copying data onto a new replica is throttled by replication.throttled.rate: 3 MB at 300 KB/s takes
 * several seconds (not a benchmark: only a generous lower bound, to show the throttle applies), then completes with the
 * new replica in sync.
 */
class ClusterThrottleIT {
    @Test
    void reassignmentCopiesAtTheThrottledRate(@TempDir Path dir) throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(dir, 3, Map.of("replication.throttled.rate", "300000"))) {
            Admin admin = cluster.admin();
            admin.createTopics(List.of(new NewTopic("moving", Map.of(0, List.of(1, 2))))).all().get(20, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                String value = "x".repeat(1000);
                for (int i = 0; i < 3000; i++) {
                    producer.send(new ProducerRecord<>("moving", 0, null, value));
                }
                producer.flush();
            }
            long start = System.nanoTime();
            admin.alterPartitionReassignments(Map.of(new TopicPartition("moving", 0), Optional.of(new NewPartitionReassignment(List.of(1, 2, 3)))))
                    .all().get(20, TimeUnit.SECONDS);
            cluster.awaitAdmin(Duration.ofSeconds(60), "broker 3 in the ISR of moving-0",
                    () -> cluster.partitions("moving").get(0).isr().stream().map(Node::id).toList().contains(3));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("3 MB at 300 KB/s").isGreaterThan(Duration.ofSeconds(5));
            assertThat(admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(cluster.partitions("moving").get(0).replicas()).extracting(Node::id).containsExactly(1, 2, 3);
        }
    }
}
