package io.strand.operator.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.strand.broker.it.ClusterProcess;
import io.strand.k8s.testenv.ControlPlane;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import io.strand.operator.api.Topic;
import io.strand.operator.api.TopicSpec;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.testing.Crds;
import io.strand.operator.topic.TopicReconciler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconcile benchmark (not part of the default test run: {@code mvn -B -Pbench verify -pl operator}, after installing broker-image and e2e/k8s-env): how long
 * the Topic reconciler takes, and how many Kubernetes API requests and Admin clients it spends, to converge 100 Topic
 * resources on one real broker, then what it costs at rest, then to delete them. Prints one line per phase; the
 * figures go to docs/benchmarks.md.
 */
@ExtendWith(KubernetesControlPlane.class)
class TopicReconcileBenchmark {

    private static final int TOPICS = Integer.getInteger("bench.topics", 100);
    private static final String NAMESPACE = "bench-topics";
    private static final Duration LIMIT = Duration.ofMinutes(5);

    @TempDir
    Path dataDir;

    @Test
    void hundredTopics(ControlPlane controlPlane) throws Exception {
        Crds.install(controlPlane.client());
        ApiCallCounter counter = new ApiCallCounter();
        AtomicLong admins = new AtomicLong();
        try (ClusterProcess kafka = ClusterProcess.start(dataDir, 1);
             KubernetesClient operatorClient = ApiCallCounter.countingClient(controlPlane.kubeconfig(), counter)) {
            KubernetesClient client = controlPlane.client();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
            client.resource(cluster()).serverSideApply();
            KafkaAdminFactory factory = cluster -> {
                admins.incrementAndGet();
                return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()));
            };
            Operator operator = new Operator(o -> o.withKubernetesClient(operatorClient).withCloseClientOnStop(false));
            operator.register(new TopicReconciler(factory), o -> o.settingNamespace(NAMESPACE));
            operator.start();
            try {
                var startup = counter.snapshot();
                long t0 = System.nanoTime();
                for (int i = 0; i < TOPICS; i++) {
                    client.resource(topic("t" + i)).create();
                }
                awaitAll("every Topic Ready", () -> readyTopics(client) == TOPICS);
                report("converge " + TOPICS + " topics", t0, ApiCallCounter.minus(counter.snapshot(), startup), admins.getAndSet(0));

                var rest = counter.snapshot();
                long t1 = System.nanoTime();
                Thread.sleep(30_000);
                report("at rest for 30 s", t1, ApiCallCounter.minus(counter.snapshot(), rest), admins.getAndSet(0));

                var deleting = counter.snapshot();
                long t2 = System.nanoTime();
                client.resources(Topic.class).inNamespace(NAMESPACE).delete();
                awaitAll("every Topic gone", () -> client.resources(Topic.class).inNamespace(NAMESPACE).list().getItems().isEmpty());
                report("delete " + TOPICS + " topics", t2, ApiCallCounter.minus(counter.snapshot(), deleting), admins.getAndSet(0));
            } finally {
                operator.stop();
                client.namespaces().withName(NAMESPACE).delete();
            }
        }
    }

    private static long readyTopics(KubernetesClient client) {
        return client.resources(Topic.class).inNamespace(NAMESPACE).list().getItems().stream()
                .filter(t -> t.getStatus() != null && t.getStatus().getConditions() != null && t.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .count();
    }

    private static void report(String phase, long startNanos, Map<String, Long> calls, long adminClients) {
        System.out.printf("BENCH topic-reconciler | %-22s | %7.2f s | API requests %s | Admin clients %d%n",
                phase, (System.nanoTime() - startNanos) / 1e9, calls, adminClients);
    }

    private static void awaitAll(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static KafkaCluster cluster() {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(1);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }

    private static Topic topic(String name) {
        TopicSpec spec = new TopicSpec();
        spec.setClusterRef("bench");
        spec.setPartitions(3);
        spec.setConfig(Map.of("retention.ms", "3600000"));
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        topic.setSpec(spec);
        return topic;
    }
}
