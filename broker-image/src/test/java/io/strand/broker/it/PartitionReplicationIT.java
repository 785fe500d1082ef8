package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition replication across three real broker processes: acks=all records survive the loss of the leader, a
 * killed broker comes back, is caught up by replication and rejoins the ISR, and a second leader loss still loses
 * nothing that was acknowledged.
 */
class PartitionReplicationIT {
    static final String TOPIC = "replicated";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void acknowledgedRecordsSurviveLeaderLossAndAReturningBrokerRejoins() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(dir, 3, Map.of("replica.lag.time.max.ms", "3000",
                "auto.leader.rebalance.enable", "false"))) {
            cluster.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(20, TimeUnit.SECONDS);
            cluster.awaitAdmin(WAIT, "all three replicas in the ISR", () -> isr(cluster).size() == 3);

            Set<String> acked = Collections.synchronizedSet(new TreeSet<>());
            produce(cluster, 0, 10_000, acked);
            assertThat(acked).hasSize(10_000);

            int firstLeader = cluster.leaders(TOPIC).get(0);
            cluster.kill(firstLeader);
            cluster.awaitAdmin(WAIT, "a new leader after killing broker " + firstLeader, () -> {
                int leader = cluster.leaders(TOPIC).get(0);
                return leader >= 0 && leader != firstLeader;
            });
            assertAllRead(cluster, acked);

            // more acknowledged writes while the old leader is away (ISR of two satisfies min.insync.replicas=2)
            produce(cluster, 10_000, 2_000, acked);

            cluster.restart(firstLeader);
            cluster.awaitAdmin(WAIT, "broker " + firstLeader + " back in the ISR", () -> isr(cluster).contains(firstLeader) && isr(cluster).size() == 3);

            int secondLeader = cluster.leaders(TOPIC).get(0);
            cluster.kill(secondLeader);
            cluster.awaitAdmin(WAIT, "a new leader after killing broker " + secondLeader, () -> {
                int leader = cluster.leaders(TOPIC).get(0);
                return leader >= 0 && leader != secondLeader;
            });
            assertAllRead(cluster, acked);
        }
    }

    private static List<Integer> isr(ClusterProcess cluster) throws Exception {
        TopicPartitionInfo info = cluster.partitions(TOPIC).get(0);
        return info.isr().stream().map(Node::id).sorted().toList();
    }

    private static void produce(ClusterProcess cluster, int from, int count, Set<String> acked) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.liveBootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                String value = "v" + i;
                sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, value), (md, e) -> {
                    if (e == null) {
                        acked.add(value);
                    }
                }));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sends) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertAllRead(ClusterProcess cluster, Set<String> acked) {
        List<String> snapshot;
        synchronized (acked) {
            snapshot = new ArrayList<>(acked);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.liveBootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, TP, snapshot.size(), WAIT);
            Set<String> read = new TreeSet<>();
            records.forEach(r -> read.add(r.value()));
            assertThat(read).as("acknowledged records readable from the new leader").containsAll(snapshot);
            assertThat(records).as("no duplicates").hasSize(read.size());
        }
    }
}
