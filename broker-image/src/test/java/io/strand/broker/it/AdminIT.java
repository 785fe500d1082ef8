package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java Admin client against a real broker process. */
class AdminIT {
    @TempDir
    static Path dir;
    static BrokerProcess broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start(dir.resolve("data"), Map.of("node.id", "7"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void topicLifecycle() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1).configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete"))))
                .all().get(10, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("orders");

        TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames().get(10, TimeUnit.SECONDS).get("orders");
        assertThat(description.partitions()).hasSize(2);
        assertThat(description.topicId()).isNotNull();
        assertThat(description.partitions().get(0).leader().id()).isEqualTo(7);
        assertThat(description.partitions().get(1).isr()).extracting(Node::id).containsExactly(7);

        admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(5))).all().get(10, TimeUnit.SECONDS);
        assertThat(admin.describeTopics(List.of("orders")).allTopicNames().get(10, TimeUnit.SECONDS).get("orders").partitions()).hasSize(5);
        assertThat(cause(() -> admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(3))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(InvalidPartitionsException.class);

        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(TopicExistsException.class);

        admin.deleteTopics(List.of("orders")).all().get(10, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("orders");
        assertThat(cause(() -> admin.deleteTopics(List.of("orders")).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void invalidTopicsAreRefusedWithKafkaErrors() {
        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(InvalidTopicException.class);
        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("zero-partitions", 0, (short) 1))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(InvalidReplicationFactorException.class);
        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("badconfig", 1, (short) 1).configs(Map.of("retention.ms", "soon"))))
                .all().get(10, TimeUnit.SECONDS))).isInstanceOf(InvalidConfigurationException.class);
        assertThat(cause(() -> admin.createTopics(List.of(new NewTopic("unknownconfig", 1, (short) 1).configs(Map.of("no.such.config", "1"))))
                .all().get(10, TimeUnit.SECONDS))).isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void describeAndAlterTopicConfigs() throws Exception {
        admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1).configs(Map.of("retention.ms", "60000")))).all().get(10, TimeUnit.SECONDS);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");

        Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("60000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND))))
                .all().get(10, TimeUnit.SECONDS);
        Config altered = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
        assertThat(altered.get("retention.ms").value()).isEqualTo("604800000");
        assertThat(altered.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(altered.get("max.message.bytes").value()).isEqualTo("2000000");
        assertThat(altered.get("cleanup.policy").value()).isEqualTo("delete,compact");

        assertThat(cause(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("segment.bytes", "-5"), AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS)))
                .isInstanceOf(InvalidConfigurationException.class);

        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "7");
        Config brokerConfig = admin.describeConfigs(List.of(brokerResource)).all().get(10, TimeUnit.SECONDS).get(brokerResource);
        assertThat(brokerConfig.get("node.id").value()).isEqualTo("7");
        assertThat(brokerConfig.get("auto.create.topics.enable").value()).isEqualTo("true");
    }

    @Test
    void describeClusterNamesThisBroker() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = cluster.nodes().get(10, TimeUnit.SECONDS);
        assertThat(nodes).extracting(Node::id).containsExactly(7);
        assertThat(nodes.iterator().next().port()).isEqualTo(broker.port());
        assertThat(cluster.controller().get(10, TimeUnit.SECONDS).id()).isEqualTo(7);
        assertThat(cluster.clusterId().get(10, TimeUnit.SECONDS)).isNotBlank();
    }

    @Test
    void listOffsetsAndDeleteRecords() throws Exception {
        String topic = "trimmed";
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, 0, 1_000_000L + i, "k", "v" + i));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(50);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).all().get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(49);
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(20))).all().get(10, TimeUnit.SECONDS);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(20);
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(Set.of(topic));
    }

    private static Throwable cause(ThrowingRunnable action) {
        try {
            action.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

}
