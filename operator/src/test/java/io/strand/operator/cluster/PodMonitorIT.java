package io.strand.operator.cluster;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Metrics;
import io.strand.operator.api.Storage;
import io.strand.operator.testing.Crds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Where the Prometheus Operator's PodMonitor CRD exists, a KafkaCluster gets a PodMonitor owned by it, and loses it
 * when its metrics are turned off. (Without the CRD the dependent is inactive: every other IT runs that way first.)
 */
@ExtendWith(KubernetesControlPlane.class)
class PodMonitorIT {

    private static final String NAMESPACE = "podmonitor-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static KubernetesClient client;
    private static Operator operator;

    @BeforeAll
    static void start(KubernetesClient kubernetes) throws Exception {
        client = kubernetes;
        Crds.install(client);
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().resource(podMonitorCrd()).serverSideApply();
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).waitUntilCondition(
                Crds::established, WAIT.toSeconds(), TimeUnit.SECONDS);
        // JOSDK remembers CRD checks JVM-wide (for a while); an earlier test's operator may have seen none
        CRDPresentActivationCondition.clearState();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new KafkaClusterReconciler(), o -> o.settingNamespace(NAMESPACE));
        operator.start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.stop();
        }
        if (client != null) {
            client.namespaces().withName(NAMESPACE).delete();
        }
    }

    @Test
    void aPodMonitorFollowsTheMetricsSwitch() {
        KafkaCluster cluster = client.resource(cluster()).create();
        eventually("a PodMonitor owned by the cluster", () -> {
            GenericKubernetesResource monitor = podMonitor();
            return monitor != null && monitor.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getUid().equals(cluster.getMetadata().getUid()) && Boolean.TRUE.equals(o.getController()));
        });
        assertThat(podMonitor().<List<Map<String, Object>>>get("spec", "podMetricsEndpoints"))
                .extracting(e -> e.get("port")).containsExactly("metrics");

        Edits.edit(client.resources(KafkaCluster.class).inNamespace(NAMESPACE).withName("monitored"), c -> {
            Metrics off = new Metrics();
            off.setEnabled(false);
            c.getSpec().setMetrics(off);
            return c;
        });
        eventually("the PodMonitor to go with the metrics", () -> podMonitor() == null);
    }

    private static GenericKubernetesResource podMonitor() {
        return client.genericKubernetesResources("monitoring.coreos.com/v1", "PodMonitor").inNamespace(NAMESPACE)
                .withName("monitored-broker").get();
    }

    private static KafkaCluster cluster() {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(1);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("monitored").withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }

    /** The PodMonitor CRD reduced to what the API server needs: its schema is not under test here. */
    private static CustomResourceDefinition podMonitorCrd() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("podmonitors.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("PodMonitor").withPlural("podmonitors").withSingular("podmonitor").withListKind("PodMonitorList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
