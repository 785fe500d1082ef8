package io.strand.operator.topic;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import io.strand.broker.it.ClusterProcess;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import io.strand.operator.api.Topic;
import io.strand.operator.api.TopicSpec;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.status.Conditions;
import io.strand.operator.testing.Crds;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Topic reconciler, in-process, against a real API server and one real broker process on 127.0.0.1 (pods are
 * fake here, so the KafkaCluster resources only exist for the reconciler to find; the Admin factory maps them to the
 * local broker, or, for {@value #DEAD_CLUSTER}, to a port nobody listens on).
 */
@ExtendWith(KubernetesControlPlane.class)
class TopicReconcilerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NAMESPACE = "topic-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String CLUSTER = "local";
    private static final String DEAD_CLUSTER = "dead";

    @TempDir
    static Path dataDir;

    private static KubernetesClient client;
    private static ClusterProcess kafka;
    private static Operator operator;

    @BeforeAll
    static void startTheBrokerAndTheOperator(KubernetesClient kubernetes) throws IOException {
        client = kubernetes;
        Crds.install(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        kafka = ClusterProcess.start(dataDir, 1);
        String deadBootstrap = "127.0.0.1:" + unusedPort();
        KafkaAdminFactory admins = cluster -> Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                DEAD_CLUSTER.equals(cluster.getMetadata().getName()) ? deadBootstrap : kafka.bootstrap(),
                AdminClientConfig.CLIENT_ID_CONFIG, "topic-reconciler-it",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
        clusters().resource(cluster(CLUSTER)).create();
        clusters().resource(cluster(DEAD_CLUSTER)).create();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        // a short periodic pass: reverting out-of-band changes is what it is for, and the test must not wait minutes
        operator.register(new TopicReconciler(admins),
                o -> o.settingNamespace(NAMESPACE).withReconciliationMaxInterval(Duration.ofSeconds(2)));
        operator.start();
    }

    @AfterAll
    static void stopEverything() {
        try {
            if (operator != null && client != null) {
                // while the operator runs, so finalizers go and the namespace is not left terminating
                topics().list().getItems().forEach(t -> Edits.edit(topics().withName(t.getMetadata().getName()), annotate(TopicReconciler.KEEP)));
                topics().delete();
                waitFor("every Topic gone", () -> topics().list().getItems().size(), n -> n == 0);
            }
        } finally {
            if (operator != null) {
                operator.stop();
            }
            if (client != null) {
                client.namespaces().withName(NAMESPACE).delete();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void createsTheTopicAsSpecified() throws Exception {
        topics().resource(topic("orders", null, CLUSTER, 3, Map.of("retention.ms", "3600000"))).create();

        Topic ready = waitForReason("orders", TopicReconciler.READY_REASON);
        assertThat(ready.getStatus().getPartitions()).isEqualTo(3);
        assertThat(ready.getStatus().getTopicId()).isEqualTo(topicId("orders"));
        assertThat(ready.getStatus().getManagedConfig()).containsExactly("retention.ms");
        assertThat(ready.getMetadata().getFinalizers()).contains("topics.strand.io/finalizer");
        assertThat(kafka.partitions("orders")).hasSize(3);
        assertThat(overrides("orders")).isEqualTo(Map.of("retention.ms", "3600000"));

        // a name added later would rename the topic, orphaning this one
        assertThatThrownBy(() -> Edits.edit(topics().withName("orders"), t -> {
            t.getSpec().setTopicName("renamed");
            return t;
        })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("topicName cannot be added or removed");
    }

    @Test
    void adoptsAnExistingTopicAndLeavesWhatTheSpecOmits() throws Exception {
        kafka.admin().createTopics(List.of(new NewTopic("legacy", 2, (short) 1)
                .configs(Map.of("retention.ms", "1000", "max.message.bytes", "500000")))).all().get(10, TimeUnit.SECONDS);
        String id = topicId("legacy");

        topics().resource(topic("legacy", null, CLUSTER, null, Map.of("retention.ms", "7200000"))).create();

        Topic ready = waitForReason("legacy", TopicReconciler.READY_REASON);
        assertThat(ready.getStatus().getTopicId()).as("adopted, not recreated").isEqualTo(id);
        assertThat(ready.getStatus().getPartitions()).isEqualTo(2);
        assertThat(overrides("legacy")).isEqualTo(Map.of("retention.ms", "7200000", "max.message.bytes", "500000"));
        assertThat(kafka.partitions("legacy")).hasSize(2);
    }

    @Test
    void appliesSpecChangesAndRevertsOutOfBandConfigChanges() throws Exception {
        topics().resource(topic("events", null, CLUSTER, 1,
                Map.of("retention.ms", "100000", "cleanup.policy", "compact"))).create();
        waitForReason("events", TopicReconciler.READY_REASON);

        Edits.edit(topics().withName("events"), t -> {
            t.getSpec().setPartitions(4);
            t.getSpec().setConfig(Map.of("retention.ms", "200000"));
            return t;
        });
        waitFor("4 partitions and cleanup.policy back to the default", () -> brokerView("events"),
                view -> view.equals("4 " + Map.of("retention.ms", "200000")));
        Topic updated = waitForReason("events", TopicReconciler.READY_REASON);
        assertThat(updated.getStatus().getObservedGeneration()).isEqualTo(2);
        assertThat(updated.getStatus().getPartitions()).isEqualTo(4);
        assertThat(updated.getStatus().getManagedConfig()).containsExactly("retention.ms");

        ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, "events");
        kafka.admin().incrementalAlterConfigs(Map.of(events, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "300000"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        assertThat(overrides("events")).containsEntry("retention.ms", "1");
        // no Kubernetes event follows a change on the broker: only the periodic pass can find and revert it
        waitFor("retention.ms reverted", () -> overrides("events"), o -> "200000".equals(o.get("retention.ms")));
        assertThat(overrides("events")).as("a key the spec does not name stays as set")
                .containsEntry("max.message.bytes", "300000");
    }

    @Test
    void aSecondResourceForTheSameTopicConflictsAndTakesOverWhenTheFirstGoes() throws Exception {
        topics().resource(topic("first", "shared", CLUSTER, 1, Map.of("retention.ms", "111111"))).create();
        waitForReason("first", TopicReconciler.READY_REASON);
        String id = topicId("shared");
        topics().resource(topic("second", "shared", CLUSTER, 1, Map.of("retention.ms", "222222"))).create();

        Topic conflicting = waitForReason("second", TopicReconciler.RESOURCE_CONFLICT);
        assertThat(readyCondition(conflicting).getMessage()).contains("Topic 'first'");
        assertThat(conflicting.getStatus().getTopicId()).isNull();
        assertThat(overrides("shared")).as("the loser changes nothing").containsEntry("retention.ms", "111111");

        topics().withName("first").delete();
        waitForReason("second", TopicReconciler.READY_REASON);
        waitFor("first gone", () -> topics().withName("first").get() == null, gone -> gone);
        assertThat(topicId("shared")).as("handed over, never deleted").isEqualTo(id);
        assertThat(overrides("shared")).containsEntry("retention.ms", "222222");
    }

    @Test
    void fewerPartitionsThanTheTopicHasIsNotSupportedAndChangesNoPartition() throws Exception {
        kafka.admin().createTopics(List.of(new NewTopic("wide", 6, (short) 1))).all().get(10, TimeUnit.SECONDS);

        topics().resource(topic("wide", null, CLUSTER, 3, Map.of("retention.ms", "333333"))).create();

        Topic refused = waitForReason("wide", TopicReconciler.NOT_SUPPORTED);
        assertThat(readyCondition(refused).getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(readyCondition(refused).getMessage()).contains("6 partitions", "cannot be removed");
        assertThat(refused.getStatus().getPartitions()).isEqualTo(6);
        assertThat(kafka.partitions("wide")).hasSize(6);
        assertThat(overrides("wide")).as("configs still converge").containsEntry("retention.ms", "333333");
    }

    @Test
    void deletingTheResourceDeletesTheTopicUnlessAnnotatedToKeepIt() {
        topics().resource(topic("doomed", null, CLUSTER, 1, null)).create();
        Topic kept = topic("kept", null, CLUSTER, 1, null);
        kept.getMetadata().setAnnotations(Map.of(TopicReconciler.DELETE_POLICY_ANNOTATION, TopicReconciler.KEEP));
        topics().resource(kept).create();
        waitForReason("doomed", TopicReconciler.READY_REASON);
        waitForReason("kept", TopicReconciler.READY_REASON);
        assertThat(brokerTopics()).contains("doomed", "kept");

        topics().withName("doomed").delete();
        topics().withName("kept").delete();

        waitFor("both resources gone", () -> Stream.of("doomed", "kept").map(n -> topics().withName(n).get())
                .filter(Objects::nonNull).count(), n -> n == 0);
        waitFor("topic doomed deleted", TopicReconcilerIT::brokerTopics, names -> !names.contains("doomed"));
        assertThat(brokerTopics()).contains("kept");
    }

    @Test
    void aMissingClusterIsReportedUntilItAppears() {
        topics().resource(topic("early", null, "late", 1, null)).create();

        Topic waiting = waitForReason("early", TopicReconciler.CLUSTER_NOT_FOUND);
        assertThat(readyCondition(waiting).getMessage()).contains("KafkaCluster 'late' not found");
        assertThat(brokerTopics()).doesNotContain("early");

        // no periodic pass needed: the KafkaCluster's own event brings the topic in
        clusters().resource(cluster("late")).create();
        waitForReason("early", TopicReconciler.READY_REASON);
        assertThat(brokerTopics()).contains("early");

        clusters().withName("late").delete();
        waitForReason("early", TopicReconciler.CLUSTER_NOT_FOUND);
        topics().withName("early").delete();
        waitFor("early gone although its cluster is", () -> topics().withName("early").get() == null, gone -> gone);
    }

    @Test
    void anUnreachableClusterIsReportedNotCrashedOn() {
        topics().resource(topic("stranded", null, DEAD_CLUSTER, 1, null)).create();

        Topic unreachable = waitForReason("stranded", TopicReconciler.CLUSTER_UNREACHABLE);
        assertThat(readyCondition(unreachable).getMessage()).contains("cluster '" + DEAD_CLUSTER + "'");

        // the finalizer cannot delete a topic on brokers it cannot reach; keep lets the resource go
        Edits.edit(topics().withName("stranded"), annotate(TopicReconciler.KEEP));
        topics().withName("stranded").delete();
        waitFor("stranded gone", () -> topics().withName("stranded").get() == null, gone -> gone);
    }

    private static java.util.function.UnaryOperator<Topic> annotate(String policy) {
        return t -> {
            t.getMetadata().setAnnotations(Map.of(TopicReconciler.DELETE_POLICY_ANNOTATION, policy));
            return t;
        };
    }

    private static Topic waitForReason(String name, String reason) {
        return waitFor(name + " with Ready reason " + reason, () -> topics().withName(name).get(),
                t -> t.getStatus() != null && Objects.equals(t.getMetadata().getGeneration(), t.getStatus().getObservedGeneration())
                        && Conditions.find(t.getStatus().getConditions(), Conditions.READY)
                                .filter(c -> reason.equals(c.getReason())).isPresent());
    }

    private static io.fabric8.kubernetes.api.model.Condition readyCondition(Topic topic) {
        return Conditions.find(topic.getStatus().getConditions(), Conditions.READY).orElseThrow();
    }

    private static String topicId(String topic) throws Exception {
        return kafka.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .topicId().toString();
    }

    /** The topic's own config overrides, as the broker reports them. */
    private static Map<String, String> overrides(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Map<String, String> overrides = new TreeMap<>();
            kafka.admin().describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource).entries().stream()
                    .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                    .forEach(e -> overrides.put(e.name(), e.value()));
            return overrides;
        } catch (Exception e) {
            throw new AssertionError("cannot describe the configs of " + topic, e);
        }
    }

    private static String brokerView(String topic) {
        try {
            return kafka.partitions(topic).size() + " " + overrides(topic);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static java.util.Set<String> brokerTopics() {
        try {
            return kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot list topics", e);
        }
    }

    private static NonNamespaceOperation<Topic, KubernetesResourceList<Topic>, Resource<Topic>> topics() {
        return client.resources(Topic.class).inNamespace(NAMESPACE);
    }

    private static NonNamespaceOperation<KafkaCluster, KubernetesResourceList<KafkaCluster>, Resource<KafkaCluster>> clusters() {
        return client.resources(KafkaCluster.class).inNamespace(NAMESPACE);
    }

    private static Topic topic(String name, String topicName, String clusterRef, Integer partitions, Map<String, String> config) {
        TopicSpec spec = new TopicSpec();
        spec.setTopicName(topicName);
        spec.setClusterRef(clusterRef);
        spec.setPartitions(partitions);
        spec.setConfig(config);
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        topic.setSpec(spec);
        return topic;
    }

    private static KafkaCluster cluster(String name) {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(1);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }

    private static <T> T waitFor(String what, java.util.function.Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = read.get();
            if (last != null && done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last seen: " + last);
    }

    private static int unusedPort() throws IOException {
        // bound then released: nothing listens there afterwards, so connections are refused at once
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
