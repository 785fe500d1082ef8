package io.strand.operator.cluster;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import io.strand.broker.it.BrokerProcess;
import io.strand.broker.it.ClusterProcess;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.testing.Crds;
import io.strand.operator.api.KafkaClusterList;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.status.Conditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle the operator owns, against a real control plane (KWOK pods) paired with real brokers on 127.0.0.1 by
 * {@link BrokerShim}: one cluster taken through scale-up with rebalancing, a refused scale-down, a draining scale-down,
 * a rolling restart and a lost pod. The steps build on each other, in order; each wait is bounded.
 */
@ExtendWith(KubernetesControlPlane.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaClusterLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NAMESPACE = "lifecycle-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String NAME = "life";

    @TempDir
    static Path dir;
    private static KubernetesClient client;
    private static Operator operator;
    private static ClusterProcess brokers;
    private static BrokerShim shim;
    private static Admin admin;

    @BeforeAll
    static void start(KubernetesClient kubernetes) throws IOException {
        client = kubernetes;
        Crds.install(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        // a private copy of the broker jar: a concurrent build replacing target/strand-broker.jar under running brokers
        // makes them fail to load classes
        Path jar = dir.resolve("strand-broker.jar");
        Files.copy(BrokerProcess.jar(), jar);
        previousJar = System.getProperty("strand.broker.jar");
        System.setProperty("strand.broker.jar", jar.toString());
        // voters 0..2 like the operator's; brokers 3 and 4 join later as non-voters, when their pods appear
        brokers = ClusterProcess.start(dir, 0, 3, 3, Map.of("leader.imbalance.check.interval.ms", "5000"));
        admin = admin();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new KafkaClusterReconciler(cluster -> admin()), o -> o.settingNamespace(NAMESPACE));
        operator.start();
        clusters().resource(cluster(3)).create();
        shim = new BrokerShim(client, NAMESPACE, NAME, brokers);
    }

    private static String previousJar;

    @AfterAll
    static void stop() throws Exception {
        // the copy goes with this class's temporary directory; later classes in this JVM use the build's jar again
        if (previousJar != null) {
            System.setProperty("strand.broker.jar", previousJar);
        } else {
            System.clearProperty("strand.broker.jar");
        }
        if (shim != null) {
            shim.close();
        }
        if (operator != null) {
            operator.stop();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        if (brokers != null) {
            brokers.close();
        }
        if (client != null) {
            client.namespaces().withName(NAMESPACE).delete();
        }
    }

    @Test
    @Order(1)
    void theStatusCarriesTheBrokersClusterId() throws Exception {
        String id = admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        KafkaCluster ready = waitFor("Ready with 3 brokers and the cluster id", () -> clusters().withName(NAME).get(),
                c -> ready(c, 3) && id.equals(c.getStatus().getClusterId()));
        assertThat(ready.getStatus().getVoters()).containsExactly(0, 1, 2);
        admin.createTopics(List.of(new NewTopic("events", 12, (short) 2))).all().get(20, TimeUnit.SECONDS);
    }

    @Test
    @Order(2)
    void scalingUpGivesTheNewBrokersAFairShareOfReplicasAndLeaders() {
        clusters().withName(NAME).scale(5);
        // the operator spreads each topic on its own: 24 replicas of 'events' over 5 brokers are 4 or 5 each, and its
        // 12 leaders (once the preferred ones lead) 2 or 3 each
        waitFor("every broker holding and leading its share of 'events'", () -> describe("events"), partitions -> {
            Map<Integer, Integer> replicas = new HashMap<>();
            Map<Integer, Integer> leaders = new HashMap<>();
            partitions.forEach(p -> {
                p.replicas().forEach(n -> replicas.merge(n.id(), 1, Integer::sum));
                if (p.leader() != null) {
                    leaders.merge(p.leader().id(), 1, Integer::sum);
                }
            });
            return Stream.of(0, 1, 2, 3, 4).allMatch(b -> replicas.getOrDefault(b, 0) >= 4 && replicas.getOrDefault(b, 0) <= 5
                    && leaders.getOrDefault(b, 0) >= 2 && leaders.getOrDefault(b, 0) <= 3);
        });
        waitFor("Ready with 5 brokers and nothing left to do", () -> clusters().withName(NAME).get(),
                c -> ready(c, 5) && !Conditions.isTrue(c.getStatus().getConditions(), Conditions.RECONCILING));
    }

    @Test
    @Order(3)
    void aScaleDownBelowATopicsReplicationFactorIsRefused() throws Exception {
        admin.createTopics(List.of(new NewTopic("wide", 2, (short) 4))).all().get(20, TimeUnit.SECONDS);
        clusters().withName(NAME).scale(3);
        KafkaCluster blocked = waitFor("a ScaleDownBlocked warning", () -> clusters().withName(NAME).get(),
                c -> warning(c).filter(w -> "ScaleDownBlocked".equals(w.getReason())).isPresent());
        assertThat(warning(blocked).orElseThrow().getMessage()).contains("topic wide has 4 replicas");
        sleep(Duration.ofSeconds(4));
        assertThat(statefulSetReplicas()).as("nothing was removed").isEqualTo(5);
        assertThat(replicasOn(Set.of(3, 4))).as("nothing was drained").isPositive();
    }

    @Test
    @Order(4)
    void aScaleDownDrainsTheBrokersBeforeTheStatefulSetShrinksAndUnregistersThem() throws Exception {
        admin.deleteTopics(List.of("wide")).all().get(20, TimeUnit.SECONDS);
        List<String> progress = new ArrayList<>();
        boolean heldWhileHolding = false;
        Integer confirmationsBeforeShrink = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (statefulSetReplicas() == 5) {
            assertThat(System.nanoTime()).as("the StatefulSet shrinking within " + WAIT).isLessThan(deadline);
            KafkaCluster c = clusters().withName(NAME).get();
            Conditions.find(c.getStatus().getConditions(), Conditions.RECONCILING).map(Condition::getMessage).ifPresent(progress::add);
            if (c.getStatus().getDrain() != null) {
                confirmationsBeforeShrink = c.getStatus().getDrain().getConfirmations();
            }
            heldWhileHolding |= replicasOn(Set.of(3, 4)) > 0 && statefulSetReplicas() == 5;
            sleep(Duration.ofMillis(200));
        }
        // read right after the shrink: nothing moves replicas back onto brokers being removed
        assertThat(replicasOn(Set.of(3, 4))).as("replicas on brokers 3 and 4 when the StatefulSet shrank").isZero();
        assertThat(heldWhileHolding).as("the StatefulSet kept 5 pods while brokers 3 and 4 still held replicas").isTrue();
        assertThat(progress).anyMatch(m -> m.startsWith("draining brokers 3,4"));
        assertThat(confirmationsBeforeShrink).as("confirmations recorded before the shrink").isNotNull().isGreaterThanOrEqualTo(1);

        // KWOK removes a pod at once, where a kubelet would first have stopped its broker: wait for the shim to have
        // stopped them, so that what follows sees (and records) nothing of their shutdown
        waitFor("brokers 3 and 4 stopped by the shim", () -> shim.events(), events -> events.stream()
                .filter(e -> e.kind().equals("stop")).map(BrokerShim.Event::broker).toList().containsAll(List.of(3, 4))
                && !brokers.brokersAlive().contains(3) && !brokers.brokersAlive().contains(4));
        waitFor("brokers 3 and 4 unregistered", () -> registered(), ids -> ids.equals(List.of(0, 1, 2)));
        KafkaCluster done = waitFor("Ready with 3 brokers", () -> clusters().withName(NAME).get(),
                c -> ready(c, 3) && c.getStatus().getDrain() == null && warning(c).isEmpty());
        assertThat(done.getStatus().getReplicas()).isEqualTo(3);
        assertThat(describe("events")).allSatisfy(p -> assertThat(p.replicas()).hasSize(2));
        shim.check();
    }

    @Test
    @Order(5)
    void aConfigChangeRestartsOnePodAtATimeEachAfterEveryPartitionIsInSync() {
        int before = shim.events().size();
        Edits.edit(clusters().withName(NAME), c -> {
            c.getSpec().setConfig(Map.of("log.retention.ms", "3600000"));
            return c;
        });
        boolean[] sawRoll = {false};
        waitFor("every broker restarted and the roll finished", () -> clusters().withName(NAME).get(), c -> {
            sawRoll[0] |= warning(c).filter(w -> "RollInProgress".equals(w.getReason())).isPresent();
            long stops = shim.events().subList(before, shim.events().size()).stream().filter(e -> e.kind().equals("stop")).count();
            return stops >= 3 && ready(c, 3) && warning(c).isEmpty() && !Conditions.isTrue(c.getStatus().getConditions(), Conditions.RECONCILING);
        });
        assertThat(sawRoll[0]).as("a RollInProgress warning while rolling").isTrue();
        List<BrokerShim.Event> roll = shim.events().subList(before, shim.events().size());
        List<BrokerShim.Event> stops = roll.stream().filter(e -> e.kind().equals("stop")).toList();
        assertThat(stops).extracting(BrokerShim.Event::broker).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(stops).as("each pod deleted only once every partition was in sync").allMatch(BrokerShim.Event::inSync);
        // one at a time: every stop is followed by that broker's start before the next stop
        for (int i = 0; i < roll.size(); i += 2) {
            assertThat(roll.get(i).kind()).isEqualTo("stop");
            assertThat(roll.get(i + 1)).isEqualTo(new BrokerShim.Event("start", roll.get(i).broker(), false));
        }
        assertThat(pods()).allSatisfy(p -> assertThat(p.getMetadata().getAnnotations().get(ClusterResources.CONFIG_HASH_ANNOTATION))
                .isEqualTo(client.apps().statefulSets().inNamespace(NAMESPACE).withName(NAME + "-broker").get()
                        .getSpec().getTemplate().getMetadata().getAnnotations().get(ClusterResources.CONFIG_HASH_ANNOTATION)));
        shim.check();
    }

    @Test
    @Order(6)
    void aDeletedPodComesBackAndItsBrokerRejoinsEveryIsr() {
        // a lost pod is no roll: nothing waits for the cluster to be in sync before it goes, so the test does
        waitFor("every partition in sync", KafkaClusterLifecycleIT::allPartitions,
                partitions -> partitions.stream().allMatch(p -> p.isr().containsAll(p.replicas())));
        int before = shim.events().size();
        client.pods().inNamespace(NAMESPACE).withName(NAME + "-broker-1").delete();
        waitFor("broker 1 restarted and back in every ISR", () -> describe("events"),
                partitions -> shim.events().size() >= before + 2 && partitions.stream().allMatch(p -> p.isr().containsAll(p.replicas())));
        assertThat(shim.events().subList(before, before + 2)).containsExactly(new BrokerShim.Event("stop", 1, true),
                new BrokerShim.Event("start", 1, false));
        KafkaCluster c = waitFor("Ready with 3 brokers", () -> clusters().withName(NAME).get(), k -> ready(k, 3) && warning(k).isEmpty());
        assertThat(c.getStatus().getReplicas()).isEqualTo(3);
        shim.check();
    }

    @Test
    @Order(7)
    void aBrokerWhoseVolumeWasLostComesBackEmptyAndIsReReplicatedWithoutLosingAcknowledgedRecords() throws Exception {
        waitFor("every partition in sync", KafkaClusterLifecycleIT::allPartitions,
                partitions -> partitions.stream().allMatch(p -> p.isr().containsAll(p.replicas())));
        Set<String> acknowledged = produce("events", "before-loss-", 300);
        int victim = 2;
        assertThat(replicasOn(Set.of(victim))).as("broker %d holds replicas to lose", victim).isPositive();
        int before = shim.events().size();

        // the volume goes: its claim is deleted (held by the kubernetes.io/pvc-protection finalizer until the pod is
        // gone) and the pod with it; the StatefulSet gives the new pod a new, empty claim
        String claim = ClusterResources.DATA_VOLUME + "-" + ClusterResources.podName(NAME, victim);
        String oldClaimUid = client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(claim).get().getMetadata().getUid();
        client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(claim).delete();
        client.pods().inNamespace(NAMESPACE).withName(ClusterResources.podName(NAME, victim)).delete();

        waitFor("broker " + victim + " restarted on a new claim and back in every ISR", KafkaClusterLifecycleIT::allPartitions,
                partitions -> shim.events().subList(before, shim.events().size()).contains(new BrokerShim.Event("wipe", victim, false))
                        && brokers.brokersAlive().contains(victim)
                        && partitions.stream().allMatch(p -> p.isr().containsAll(p.replicas())));
        assertThat(client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(claim).get().getMetadata().getUid()).isNotEqualTo(oldClaimUid);
        assertThat(replicasOn(Set.of(victim))).as("the empty broker keeps its replicas and refills them").isPositive();
        waitFor("Ready with 3 brokers", () -> clusters().withName(NAME).get(), k -> ready(k, 3) && warning(k).isEmpty());

        assertThat(consumeAll("events")).as("every acknowledged record survives the lost volume").containsAll(acknowledged);
        shim.check();
    }

    // ---- helpers

    /** Sends {@code count} records with acks=all and returns the values the brokers acknowledged. */
    private static Set<String> produce(String topic, String prefix, int count) throws Exception {
        Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of(
                "bootstrap.servers", brokers.liveBootstrap(), "acks", "all", "delivery.timeout.ms", 60_000, "request.timeout.ms", 15_000,
                "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
                "value.serializer", org.apache.kafka.common.serialization.StringSerializer.class))) {
            for (int i = 0; i < count; i++) {
                String value = prefix + i;
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k" + i, value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(value);
                    }
                });
            }
            producer.flush();
        }
        assertThat(acknowledged).as("acknowledged before the loss").hasSize(count);
        return acknowledged;
    }

    /** Every value in the topic, read from the beginning of each partition to its end offset. */
    private static List<String> consumeAll(String topic) throws Exception {
        List<String> values = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(Map.of(
                "bootstrap.servers", brokers.liveBootstrap(), "enable.auto.commit", false,
                "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class,
                "value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class))) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(10)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end + " within " + WAIT);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private static boolean ready(KafkaCluster c, int brokers) {
        return c.getStatus() != null && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)
                && Integer.valueOf(brokers).equals(c.getStatus().getReadyReplicas())
                && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration());
    }

    private static Optional<Condition> warning(KafkaCluster c) {
        return c.getStatus() == null ? Optional.empty()
                : Conditions.find(c.getStatus().getConditions(), Conditions.WARNING).filter(w -> Conditions.TRUE.equals(w.getStatus()));
    }

    private static int statefulSetReplicas() {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName(NAME + "-broker").get().getSpec().getReplicas();
    }

    private static List<Pod> pods() {
        return client.pods().inNamespace(NAMESPACE).withLabels(ClusterResources.selectorLabels(NAME)).list().getItems();
    }

    private static List<TopicPartitionInfo> describe(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions();
        } catch (Exception e) {
            return null;
        }
    }

    /** Every partition of every topic, internal ones included; null when the brokers cannot tell. */
    private static List<TopicPartitionInfo> allPartitions() {
        try {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
            return admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                    .flatMap(t -> t.partitions().stream()).toList();
        } catch (Exception e) {
            return null;
        }
    }

    private static long replicasOn(Set<Integer> ids) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
        long count = 0;
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            count += topic.partitions().stream().flatMap(p -> p.replicas().stream()).filter(n -> ids.contains(n.id())).count();
        }
        return count;
    }

    private static List<Integer> registered() {
        try {
            return admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes().get(10, TimeUnit.SECONDS)
                    .stream().map(Node::id).sorted().toList();
        } catch (Exception e) {
            return null;
        }
    }

    /** An Admin on every broker started so far: clients skip the stopped ones. */
    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
    }

    private static NonNamespaceOperation<KafkaCluster, KafkaClusterList, Resource<KafkaCluster>> clusters() {
        return client.resources(KafkaCluster.class, KafkaClusterList.class).inNamespace(NAMESPACE);
    }

    private static KafkaCluster cluster(int replicas) {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(replicas);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }

    private static <T> T waitFor(String what, Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            shim.check();
            last = read.get();
            if (last != null && done.test(last)) {
                return last;
            }
            sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last seen: " + last
                + "\nshim: " + shim.events() + "\n" + brokers.logs());
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
