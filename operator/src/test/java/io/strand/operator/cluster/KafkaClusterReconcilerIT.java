package io.strand.operator.cluster;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Listener;
import io.strand.operator.testing.Crds;
import io.strand.operator.api.KafkaClusterList;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.status.Conditions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The KafkaCluster reconciler, in-process, against a real API server, controller manager and scheduler (KWOK nodes:
 * pods become Ready without running containers, so readiness here is the StatefulSet controller's view). Uses the CRDs
 * from {@code crds/}, i.e. exactly what users apply.
 */
@ExtendWith(KubernetesControlPlane.class)
class KafkaClusterReconcilerIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String NAMESPACE = "operator-it-" + UUID.randomUUID().toString().substring(0, 8);

    private static KubernetesClient client;
    private static Operator operator;

    @BeforeAll
    static void installCrdsAndStartTheOperator(KubernetesClient kubernetes) throws IOException {
        client = kubernetes;
        Crds.install(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new KafkaClusterReconciler(), o -> o.settingNamespace(NAMESPACE));
        operator.start();
    }

    @AfterAll
    static void stopTheOperator() {
        if (operator != null) {
            operator.stop();
        }
        if (client != null) {
            client.namespaces().withName(NAMESPACE).delete();
        }
    }

    @Test
    void aThreeBrokerClusterGetsEveryObjectAndBecomesReady() {
        KafkaCluster created = clusters().resource(cluster("trio", 3)).create();

        KafkaCluster ready = waitUntilReady("trio", 3);
        assertThat(ready.getStatus().getObservedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
        assertThat(ready.getStatus().getVoters()).containsExactly(0, 1, 2);
        assertThat(ready.getStatus().getReplicas()).isEqualTo(3);
        assertThat(ready.getStatus().getLabelSelector()).isEqualTo(ClusterResources.labelSelector("trio"));
        assertThat(ready.getStatus().getBootstrapAddress()).isEqualTo("trio-bootstrap." + NAMESPACE + ".svc:9092");

        List<HasMetadata> owned = List.of(
                client.serviceAccounts().inNamespace(NAMESPACE).withName("trio-broker").get(),
                client.configMaps().inNamespace(NAMESPACE).withName("trio-config").get(),
                client.services().inNamespace(NAMESPACE).withName("trio-brokers").get(),
                client.services().inNamespace(NAMESPACE).withName("trio-bootstrap").get(),
                client.apps().statefulSets().inNamespace(NAMESPACE).withName("trio-broker").get(),
                client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("trio-broker").get());
        assertThat(owned).doesNotContainNull().allSatisfy(object -> {
            assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "strand-operator");
            assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> isControlledBy(owner, created));
        });

        StatefulSet sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName("trio-broker").get();
        assertThat(sts.getSpec().getServiceName()).isEqualTo("trio-brokers");
        assertThat(client.pods().inNamespace(NAMESPACE).withLabels(ClusterResources.selectorLabels("trio")).list().getItems())
                .extracting(p -> p.getMetadata().getLabels().get(ClusterResources.POD_INDEX_LABEL))
                .containsExactlyInAnyOrder("0", "1", "2");
        assertThat(client.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .contains("data-trio-broker-0", "data-trio-broker-1", "data-trio-broker-2");

        // nothing fights the API server's defaulting: the StatefulSet's spec stays put once the cluster is ready
        long generation = sts.getMetadata().getGeneration();
        sleep(Duration.ofSeconds(3));
        assertThat(client.apps().statefulSets().inNamespace(NAMESPACE).withName("trio-broker").get().getMetadata().getGeneration())
                .isEqualTo(generation);
    }

    @Test
    void scalingThroughTheScaleSubresourceKeepsTheVotersAndNeverShrinksWithoutADrain() {
        clusters().resource(cluster("scaler", 3)).create();
        waitUntilReady("scaler", 3);

        clusters().withName("scaler").scale(4);
        KafkaCluster scaledUp = waitUntilReady("scaler", 4);
        assertThat(scaledUp.getStatus().getVoters()).as("voters never move").containsExactly(0, 1, 2);

        clusters().withName("scaler").scale(1);
        KafkaCluster blocked = waitFor("a ScaleDownBlocked warning", () -> clusters().withName("scaler").get(),
                c -> c.getStatus() != null && Conditions.find(c.getStatus().getConditions(), Conditions.WARNING)
                        .filter(w -> "ScaleDownBlocked".equals(w.getReason())).isPresent());
        assertThat(blocked.getStatus().getVoters()).containsExactly(0, 1, 2);
        // no brokers run behind these pods, so broker 3 cannot be drained: the StatefulSet keeps it
        waitFor("the drain of broker 3 waiting for the brokers", () -> clusters().withName("scaler").get(),
                c -> Conditions.find(c.getStatus().getConditions(), Conditions.RECONCILING)
                        .filter(r -> r.getMessage().startsWith("draining brokers 3: cannot reach the brokers")).isPresent());
        assertThat(client.apps().statefulSets().inNamespace(NAMESPACE).withName("scaler-broker").get().getSpec().getReplicas())
                .isEqualTo(4);
        String voters = client.configMaps().inNamespace(NAMESPACE).withName("scaler-config").get().getData().get("server.properties");
        assertThat(voters).contains("controller.quorum.voters=0@scaler-broker-0.").doesNotContain("3@scaler-broker-3");
    }

    @Test
    void aTunnelListenerAddsItsServiceAndRemovingItDeletesTheService() {
        KafkaCluster withTunnel = cluster("tunneled", 1);
        withTunnel.getSpec().setListeners(List.of(new Listener("plain", 9092), Listener.tunnel("tunnel", 9094)));
        KafkaCluster created = clusters().resource(withTunnel).create();

        Service tunnel = waitFor("the tunnel Service",
                () -> client.services().inNamespace(NAMESPACE).withName("tunneled-tunnel").get(), s -> true);
        assertThat(tunnel.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> isControlledBy(owner, created));
        assertThat(tunnel.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(9092);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("tunnel");
        });
        waitFor("the relay listener in the broker config",
                () -> client.configMaps().inNamespace(NAMESPACE).withName("tunneled-config").get(),
                c -> c.getData().get("server.properties").contains("relay.advertised.listener=PLAINTEXT://localhost:9092"));

        Edits.edit(clusters().withName("tunneled"), c -> {
            c.getSpec().setListeners(List.of(new Listener("plain", 9092)));
            return c;
        });
        waitFor("the tunnel Service to be deleted",
                () -> client.services().inNamespace(NAMESPACE).withName("tunneled-tunnel").get() == null ? "gone" : null, s -> true);
        waitFor("the relay listener to leave the broker config",
                () -> client.configMaps().inNamespace(NAMESPACE).withName("tunneled-config").get(),
                c -> !c.getData().get("server.properties").contains("relay."));
        assertThat(client.services().inNamespace(NAMESPACE).withName("tunneled-bootstrap").get()).isNotNull();
    }

    @Test
    void aSpecTheApiServerRefusesForAnOwnedObjectIsReportedInTheStatusUntilFixed() {
        KafkaCluster invalid = cluster("limits", 1);
        invalid.getSpec().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("2Gi"))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).build());
        clusters().resource(invalid).create();

        KafkaCluster reported = waitFor("the refused StatefulSet reported in the status", () -> clusters().withName("limits").get(),
                c -> c.getStatus() != null && Conditions.find(c.getStatus().getConditions(), Conditions.READY)
                        .filter(r -> "InvalidSpec".equals(r.getReason())).isPresent());
        assertThat(Conditions.find(reported.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
                .contains("must be less than or equal to memory limit");
        assertThat(Conditions.isTrue(reported.getStatus().getConditions(), Conditions.WARNING)).isTrue();
        assertThat(reported.getStatus().getObservedGeneration()).isEqualTo(reported.getMetadata().getGeneration());

        Edits.edit(clusters().withName("limits"), c -> {
            c.getSpec().getResources().getLimits().put("memory", new io.fabric8.kubernetes.api.model.Quantity("2Gi"));
            return c;
        });
        KafkaCluster fixed = waitUntilReady("limits", 1);
        assertThat(Conditions.isTrue(fixed.getStatus().getConditions(), Conditions.WARNING)).isFalse();
    }

    @Test
    void theApiServerRefusesWhatTheOperatorCouldNotHonour() {
        KafkaCluster reserved = cluster("reserved", 3);
        reserved.getSpec().setConfig(Map.of("node.id", "7"));
        assertThatThrownBy(() -> clusters().resource(reserved).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("the operator sets them");

        KafkaCluster noStorage = cluster("nostorage", 3);
        noStorage.getSpec().setStorage(null);
        assertThatThrownBy(() -> clusters().resource(noStorage).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("storage");

        KafkaCluster twoTunnels = cluster("tunnels", 1);
        twoTunnels.getSpec().setListeners(List.of(Listener.tunnel("one", 9094), Listener.tunnel("two", 9095)));
        assertThatThrownBy(() -> clusters().resource(twoTunnels).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("exactly one listener must be of type internal");

        KafkaCluster samePort = cluster("sameport", 1);
        samePort.getSpec().setListeners(List.of(new Listener("plain", 9092), Listener.tunnel("tunnel", 9092)));
        assertThatThrownBy(() -> clusters().resource(samePort).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("listener ports must be unique");

        KafkaCluster advertisedInternal = cluster("advertised", 1);
        Listener internal = new Listener("plain", 9092);
        internal.setAdvertisedHost("somewhere");
        advertisedInternal.getSpec().setListeners(List.of(internal));
        assertThatThrownBy(() -> clusters().resource(advertisedInternal).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("apply to tunnel listeners only");

        assertThatThrownBy(() -> clusters().resource(cluster("a".repeat(41), 1)).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("at most 40 characters");

        clusters().resource(cluster("fixed", 1)).create();
        assertThatThrownBy(() -> Edits.edit(clusters().withName("fixed"), c -> {
            c.getSpec().getStorage().setSize("512Mi");
            return c;
        })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("storage.size can grow but not shrink");
    }

    @Test
    void biggerStorageGrowsTheClaimsAndReCreatesTheStatefulSetAroundItsPods() {
        clusters().resource(cluster("growing", 2)).create();
        waitUntilReady("growing", 2);
        StatefulSet before = client.apps().statefulSets().inNamespace(NAMESPACE).withName("growing-broker").get();
        Map<String, String> podUids = podUids("growing-broker");
        assertThat(podUids).hasSize(2);

        Edits.edit(clusters().withName("growing"), c -> {
            c.getSpec().getStorage().setSize("2Gi");
            return c;
        });
        waitFor("both claims grown to 2Gi (spec and capacity)", () -> Stream.of(0, 1)
                .map(i -> client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-growing-broker-" + i).get())
                .filter(c -> c != null && new Quantity("2Gi").equals(c.getSpec().getResources().getRequests().get("storage"))
                        && c.getStatus().getCapacity() != null && new Quantity("2Gi").equals(c.getStatus().getCapacity().get("storage")))
                .count(), grown -> grown == 2);
        StatefulSet after = waitFor("a StatefulSet with a 2Gi claim template", () ->
                client.apps().statefulSets().inNamespace(NAMESPACE).withName("growing-broker").get(),
                s -> s != null && new Quantity("2Gi").equals(StorageGrowth.claimSize(s).orElse(null)));
        assertThat(after.getMetadata().getUid()).as("re-created").isNotEqualTo(before.getMetadata().getUid());
        waitUntilReady("growing", 2);
        assertThat(podUids("growing-broker")).as("no pod restarted").isEqualTo(podUids);
    }

    private static Map<String, String> podUids(String statefulSet) {
        Map<String, String> uids = new java.util.TreeMap<>();
        for (int i = 0; i < 2; i++) {
            var pod = client.pods().inNamespace(NAMESPACE).withName(statefulSet + "-" + i).get();
            if (pod != null) {
                uids.put(pod.getMetadata().getName(), pod.getMetadata().getUid());
            }
        }
        return uids;
    }

    @Test
    void deletingTheClusterDeletesWhatItOwns() {
        clusters().resource(cluster("doomed", 1)).create();
        waitUntilReady("doomed", 1);
        clusters().withName("doomed").delete();
        waitFor("the StatefulSet and Services to be garbage-collected", () -> Stream.of(
                        client.apps().statefulSets().inNamespace(NAMESPACE).withName("doomed-broker").get(),
                        client.services().inNamespace(NAMESPACE).withName("doomed-brokers").get(),
                        client.configMaps().inNamespace(NAMESPACE).withName("doomed-config").get())
                .filter(java.util.Objects::nonNull).count(), remaining -> remaining == 0);
    }

    private static void isControlledBy(OwnerReference owner, KafkaCluster cluster) {
        assertThat(owner.getKind()).isEqualTo("KafkaCluster");
        assertThat(owner.getApiVersion()).isEqualTo("strand.io/v1alpha1");
        assertThat(owner.getName()).isEqualTo(cluster.getMetadata().getName());
        assertThat(owner.getUid()).isEqualTo(cluster.getMetadata().getUid());
        assertThat(owner.getController()).isTrue();
    }

    private static NonNamespaceOperation<KafkaCluster, KafkaClusterList, Resource<KafkaCluster>> clusters() {
        return client.resources(KafkaCluster.class, KafkaClusterList.class).inNamespace(NAMESPACE);
    }

    private static KafkaCluster cluster(String name, int replicas) {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(replicas);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }

    private static KafkaCluster waitUntilReady(String name, int readyReplicas) {
        return waitFor(name + " Ready with " + readyReplicas + " brokers", () -> clusters().withName(name).get(),
                c -> c.getStatus() != null && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)
                        && Integer.valueOf(readyReplicas).equals(c.getStatus().getReadyReplicas())
                        && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration()));
    }

    private static <T> T waitFor(String what, Supplier<T> read, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = read.get();
            if (last != null && done.test(last)) {
                return last;
            }
            sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last seen: " + last);
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
