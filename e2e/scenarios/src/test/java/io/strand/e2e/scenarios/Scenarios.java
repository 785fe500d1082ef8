package io.strand.e2e.scenarios;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterList;
import io.strand.operator.api.Topic;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.status.Conditions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The user's path through the operator, written once for every {@link Fleet}: apply a 3-broker KafkaCluster with a
 * tunnel listener, wait for Ready, create a Topic, forward the tunnel Service's port and use plain Java clients through
 * that one port while a pod is lost, the cluster scales 3 to 5 to 3 and a configuration change rolls the brokers. The
 * scenarios share one cluster and run in order; each wait is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class Scenarios {

    protected static final Duration WAIT = Duration.ofSeconds(120);
    static final String CLUSTER = "e2e";
    static final String TOPIC = "orders";
    static final int PARTITIONS = 6;
    private static final int TUNNEL_CONTAINER_PORT = 9094;
    private static final int METRICS_PORT = ClusterResources.METRICS_PORT;

    private Fleet fleet;
    private Fleet.Forward tunnel;
    private int tunnelPort;
    private boolean clusterReady;
    /** Every record acknowledged so far, across scenarios: none may ever be missing. */
    private final Set<String> acknowledged = new HashSet<>();

    /** Opens this implementation's fleet: the operator installed and watching {@link Fleet#namespace()}. */
    protected abstract Fleet openFleet() throws Exception;

    @BeforeAll
    void openTheFleet() throws Exception {
        fleet = openFleet();
    }

    @AfterAll
    void closeTheFleet() throws Exception {
        if (tunnel != null) {
            tunnel.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    // ---- the scenarios

    @Test
    @Order(1)
    void recordsProducedThroughTheForwardedTunnelPortAreAllConsumedBackInAGroup() throws Exception {
        tunnelPort = fleet.freeLocalPort();
        apply(clusterYaml(tunnelPort, Map.of()));
        KafkaCluster ready = waitFor("KafkaCluster " + CLUSTER + " Ready with 3 brokers", this::cluster, c -> ready(c, 3));
        assertThat(ready.getStatus().getVoters()).containsExactly(0, 1, 2);
        fleet.awaitBrokers(CLUSTER, 3);
        assertThat(client().services().inNamespace(ns()).withName(ClusterResources.tunnelServiceName(CLUSTER)).get())
                .as("the tunnel Service").isNotNull();
        clusterReady = true;

        apply(topicYaml());
        waitFor("Topic " + TOPIC + " Ready", () -> {
                    Topic t = client().resources(Topic.class).inNamespace(ns()).withName(TOPIC).get();
                    return t == null || t.getStatus() == null ? "no status" : "generation " + t.getMetadata().getGeneration()
                            + ", observed " + t.getStatus().getObservedGeneration() + ", conditions " + t.getStatus().getConditions();
                }, seen -> {
                    Topic t = client().resources(Topic.class).inNamespace(ns()).withName(TOPIC).get();
                    return t.getStatus() != null && Conditions.isTrue(t.getStatus().getConditions(), Conditions.READY)
                            && t.getMetadata().getGeneration().equals(t.getStatus().getObservedGeneration());
                });
        Topic topic = client().resources(Topic.class).inNamespace(ns()).withName(TOPIC).get();
        assertThat(topic.getStatus().getPartitions()).isEqualTo(PARTITIONS);

        tunnel = fleet.forwardService(ClusterResources.tunnelServiceName(CLUSTER), tunnelPort, tunnelPort);
        int count = 3000;
        Map<String, List<String>> sentPerKey = new HashMap<>();
        try (KafkaProducer<String, String> producer = Load.producer(bootstrap())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "k" + (i % Load.KEYS);
                String value = "first-" + i;
                sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                sends.add(producer.send(new ProducerRecord<>(TOPIC, key, value)));
            }
            producer.flush();
            for (var send : sends) {
                send.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        sentPerKey.values().forEach(acknowledged::addAll);

        Map<String, List<String>> receivedPerKey = new HashMap<>();
        Set<Integer> partitionsSeen = new HashSet<>();
        String group = "e2e-" + UUID.randomUUID();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(TOPIC));
            int received = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received < count) {
                assertThat(System.nanoTime()).as("all %d records consumed within %s (got %d)", count, WAIT, received).isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    receivedPerKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                    partitionsSeen.add(r.partition());
                    received++;
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
            assertThat(consumer.committed(Set.copyOf(consumer.assignment()), Duration.ofSeconds(30)).values())
                    .as("the group's committed offsets").allSatisfy(o -> assertThat(o).isNotNull());
        }
        // each key's records in the order they were sent, exactly once each
        assertThat(receivedPerKey).isEqualTo(sentPerKey);
        assertThat(partitionsSeen).as("records came from every partition").hasSize(PARTITIONS);
    }

    @Test
    @Order(2)
    void aDeletedBrokerPodIsReplacedWithoutLosingAnAcknowledgedRecord() throws Exception {
        requireCluster();
        Load load = new Load(bootstrap(), TOPIC, "pod-loss-");
        try {
            waitFor("the producer under way", load::acknowledgedCount, n -> n >= 200);
            // a broker the forward does not land on: kubectl port-forward is bound to one pod (see README.md)
            String forwarded = tunnel.currentPod();
            Pod victim = pods().stream().filter(p -> !p.getMetadata().getName().equals(forwarded))
                    .max(java.util.Comparator.comparing(p -> p.getMetadata().getName())).orElseThrow();
            String name = victim.getMetadata().getName();
            String uid = victim.getMetadata().getUid();
            client().pods().inNamespace(ns()).withName(name).delete();
            waitFor("pod " + name + " replaced, and the cluster Ready with 3 brokers", this::cluster, c -> {
                Pod now = client().pods().inNamespace(ns()).withName(name).get();
                return now != null && !uid.equals(now.getMetadata().getUid()) && running(now) && ready(c, 3);
            });
            int before = load.acknowledgedCount();
            waitFor("the producer going on after the replacement", load::acknowledgedCount, n -> n >= before + 200);
        } finally {
            Load.Result result = load.stop();
            System.out.printf("pod loss: %d sent, %d acknowledged, %d failed%n", result.sent(), result.acknowledged().size(), result.failures().size());
            acknowledged.addAll(result.acknowledged());
        }
        assertThat(consumeAll()).as("every acknowledged record is in the topic").containsAll(acknowledged);
    }

    @Test
    @Order(3)
    void scalingTo5GivesBrokers3And4ReplicasAndScalingBackDrainsThemFirst() throws Exception {
        requireCluster();
        clusters().withName(CLUSTER).scale(5);
        waitFor("Ready with 5 brokers", this::cluster, c -> ready(c, 5));
        fleet.awaitBrokers(CLUSTER, 5);
        for (int broker : List.of(3, 4)) {
            String pod = ClusterResources.podName(CLUSTER, broker);
            waitFor("broker " + broker + " holding replicas (strand_partitions on " + pod + ")", () -> partitionsOn(pod),
                    n -> n > 0);
        }
        waitFor("Ready with 5 brokers and nothing left to do", this::cluster,
                c -> ready(c, 5) && !Conditions.isTrue(c.getStatus().getConditions(), Conditions.RECONCILING));

        clusters().withName(CLUSTER).scale(3);
        boolean drainSeen = false;
        List<String> progress = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (statefulSet().getSpec().getReplicas() == 5) {
            assertThat(System.nanoTime()).as("the StatefulSet shrinking within " + WAIT).isLessThan(deadline);
            KafkaCluster c = cluster();
            Conditions.find(c.getStatus().getConditions(), Conditions.RECONCILING).map(Condition::getMessage).ifPresent(progress::add);
            drainSeen |= c.getStatus().getDrain() != null && c.getStatus().getDrain().getBrokers() != null
                    && c.getStatus().getDrain().getBrokers().containsAll(List.of(3, 4));
            fleet.check();
            sleep(Duration.ofMillis(200));
        }
        assertThat(drainSeen).as("status.drain named brokers 3 and 4 before the StatefulSet shrank; progress: " + progress).isTrue();
        KafkaCluster done = waitFor("Ready with 3 brokers again", this::cluster,
                c -> ready(c, 3) && c.getStatus().getDrain() == null && warning(c).isEmpty());
        assertThat(done.getStatus().getReplicas()).isEqualTo(3);
        waitFor("only pods 0..2", this::podNames, names -> names.equals(List.of(
                ClusterResources.podName(CLUSTER, 0), ClusterResources.podName(CLUSTER, 1), ClusterResources.podName(CLUSTER, 2))));
        assertThat(consumeAll()).as("every acknowledged record survives the scale-down").containsAll(acknowledged);
    }

    @Test
    @Order(4)
    void aConfigChangeRollsTheBrokersOneAtATimeWithoutAFailedSend() throws Exception {
        requireCluster();
        Map<String, String> uidsBefore = pods().stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
        String hashBefore = templateHash();
        Load load = new Load(bootstrap(), TOPIC, "roll-");
        Load.Result result;
        int maxMissing = 0;
        try {
            waitFor("the producer under way", load::acknowledgedCount, n -> n >= 200);
            Edits.edit(clusters().withName(CLUSTER), c -> {
                Map<String, String> config = new HashMap<>(c.getSpec().getConfig() == null ? Map.of() : c.getSpec().getConfig());
                config.put("log.retention.ms", "3600000");
                c.getSpec().setConfig(config);
                return c;
            });
            long deadline = System.nanoTime() + 2 * WAIT.toNanos();
            while (true) {
                fleet.check();
                List<Pod> pods = pods();
                // one at a time: never more than one of the three brokers' pods gone or not running
                long notRunning = 3 - pods.stream().filter(Scenarios::running).count();
                maxMissing = (int) Math.max(maxMissing, notRunning);
                boolean allNew = pods.size() == 3 && pods.stream().allMatch(p -> !p.getMetadata().getUid().equals(uidsBefore.get(p.getMetadata().getName())));
                KafkaCluster c = cluster();
                if (allNew && ready(c, 3) && !Conditions.isTrue(c.getStatus().getConditions(), Conditions.RECONCILING) && warning(c).isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the roll did not finish within " + 2 * WAIT.toSeconds() + " s; cluster conditions "
                            + (c.getStatus() == null ? null : c.getStatus().getConditions())
                            + "\npods " + pods.stream().map(p -> p.getMetadata().getName() + "/" + p.getMetadata().getUid()).toList()
                            + "\n" + fleet.diagnostics());
                }
                sleep(Duration.ofMillis(100));
            }
            int before = load.acknowledgedCount();
            waitFor("the producer going on after the roll", load::acknowledgedCount, n -> n >= before + 200);
        } finally {
            result = load.stop();
            System.out.printf("roll: %d sent, %d acknowledged, %d failed%n", result.sent(), result.acknowledged().size(), result.failures().size());
            acknowledged.addAll(result.acknowledged());
        }
        assertThat(result.failures()).as("failed sends during the roll").isEmpty();
        assertThat(result.acknowledged()).hasSize(result.sent());
        assertThat(maxMissing).as("pods down at once during the roll").isLessThanOrEqualTo(1);
        String hashAfter = templateHash();
        assertThat(hashAfter).isNotEqualTo(hashBefore);
        assertThat(pods()).hasSize(3).allSatisfy(p ->
                assertThat(p.getMetadata().getAnnotations()).containsEntry(ClusterResources.CONFIG_HASH_ANNOTATION, hashAfter));
        assertThat(consumeAll()).as("every acknowledged record is in the topic").containsAll(acknowledged);
    }

    // ---- what a user writes

    static String clusterYaml(int advertisedPort, Map<String, String> extraConfig) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: %s
                kind: KafkaCluster
                metadata:
                  name: %s
                spec:
                  replicas: 3
                  storage:
                    size: 1Gi
                  listeners:
                    - name: plain
                      port: 9092
                    - name: tunnel
                      port: %d
                      type: tunnel
                      advertisedPort: %d
                  config:
                    # failover within seconds rather than the defaults' tens of seconds
                    broker.session.timeout.ms: "3000"
                    broker.heartbeat.interval.ms: "300"
                    replica.lag.time.max.ms: "5000"
                    controlled.shutdown.timeout.ms: "10000"
                    group.initial.rebalance.delay.ms: "0"
                    offsets.topic.num.partitions: "3"
                    leader.imbalance.check.interval.ms: "5000"
                """.formatted(io.strand.operator.api.StrandApi.API_VERSION, CLUSTER, TUNNEL_CONTAINER_PORT, advertisedPort));
        extraConfig.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        return yaml.toString();
    }

    static String topicYaml() {
        return """
                apiVersion: %s
                kind: Topic
                metadata:
                  name: %s
                spec:
                  clusterRef: %s
                  partitions: %d
                  replicationFactor: 3
                  config:
                    min.insync.replicas: "2"
                """.formatted(io.strand.operator.api.StrandApi.API_VERSION, TOPIC, CLUSTER, PARTITIONS);
    }

    /** {@code kubectl apply -f}: server-side apply of a manifest, into the fleet's namespace. */
    private void apply(String yaml) {
        GenericKubernetesResource resource = client().getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns());
        String[] groupVersion = resource.getApiVersion().split("/");
        // as kubectl finds it through discovery: the CRDs' plurals are the kinds in lower case plus "s"
        var context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup(groupVersion[0])
                .withVersion(groupVersion[1]).withKind(resource.getKind()).withPlural(resource.getKind().toLowerCase(java.util.Locale.ROOT) + "s")
                .withNamespaced(true).build();
        client().genericKubernetesResources(context).inNamespace(ns()).resource(resource)
                .fieldManager("kubectl").forceConflicts().serverSideApply();
    }

    // ---- clients through the tunnel

    private String bootstrap() {
        return "localhost:" + tunnelPort;
    }

    /** Every value in the topic, each partition read from its beginning to its end offset, through the tunnel. */
    private List<String> consumeAll() {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + TOPIC + " to its end offsets " + end + " within " + WAIT);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    /** strand_partitions of one broker, scraped through a port-forward to its pod's metrics port; -1 when unreadable. */
    private double partitionsOn(String pod) {
        try (Fleet.Forward metrics = fleet.forwardPod(pod, METRICS_PORT)) {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.localPort() + "/metrics"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().lines().filter(l -> l.startsWith("strand_partitions ") || l.startsWith("strand_partitions{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    // ---- the Kubernetes side

    private KubernetesClient client() {
        return fleet.client();
    }

    private String ns() {
        return fleet.namespace();
    }

    private NonNamespaceOperation<KafkaCluster, KafkaClusterList, Resource<KafkaCluster>> clusters() {
        return client().resources(KafkaCluster.class, KafkaClusterList.class).inNamespace(ns());
    }

    private KafkaCluster cluster() {
        return clusters().withName(CLUSTER).get();
    }

    private StatefulSet statefulSet() {
        return client().apps().statefulSets().inNamespace(ns()).withName(ClusterResources.statefulSetName(CLUSTER)).get();
    }

    private String templateHash() {
        return statefulSet().getSpec().getTemplate().getMetadata().getAnnotations().get(ClusterResources.CONFIG_HASH_ANNOTATION);
    }

    private List<Pod> pods() {
        return client().pods().inNamespace(ns()).withLabels(ClusterResources.selectorLabels(CLUSTER)).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private List<String> podNames() {
        return pods().stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static boolean running(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean ready(KafkaCluster c, int brokers) {
        return c != null && c.getStatus() != null && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)
                && Integer.valueOf(brokers).equals(c.getStatus().getReadyReplicas())
                && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration());
    }

    private static Optional<Condition> warning(KafkaCluster c) {
        return c.getStatus() == null ? Optional.empty()
                : Conditions.find(c.getStatus().getConditions(), Conditions.WARNING).filter(w -> Conditions.TRUE.equals(w.getStatus()));
    }

    private void requireCluster() {
        assertThat(clusterReady).as("the cluster of scenario 1 became Ready (see its failure)").isTrue();
        assertThat(tunnel).as("the tunnel forward of scenario 1").isNotNull();
    }

    private <T> T waitFor(String what, Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = null;
        Exception error = null;
        while (System.nanoTime() < deadline) {
            fleet.check();
            try {
                last = read.get();
                if (last != null && done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                error = e;
            }
            sleep(Duration.ofMillis(250));
        }
        Object shown = last instanceof KafkaCluster c && c.getStatus() != null
                ? "KafkaCluster generation " + c.getMetadata().getGeneration() + ", observed " + c.getStatus().getObservedGeneration()
                        + ", readyReplicas " + c.getStatus().getReadyReplicas() + ", drain " + c.getStatus().getDrain()
                        + ", conditions " + c.getStatus().getConditions()
                : last;
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last seen: " + shown
                + (error == null ? "" : "; last error: " + error) + "\n" + fleet.diagnostics());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
