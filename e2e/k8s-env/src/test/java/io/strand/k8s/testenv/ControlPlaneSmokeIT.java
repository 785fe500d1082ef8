package io.strand.k8s.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the operator relies on, checked against the real API server, controllers and scheduler: CRD schema validation,
 * the status subresource, server-side apply, finalizers, a StatefulSet's pods and claims through deletion and scaling,
 * and owner-reference garbage collection. Runs against the local control plane or, with STRAND_KUBECONFIG, kind.
 */
@ExtendWith(KubernetesControlPlane.class)
class ControlPlaneSmokeIT {

    private static final String GROUP = "smoke.strand.io";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NAMESPACE = "smoke-" + UUID.randomUUID().toString().substring(0, 8);

    private static KubernetesClient client;

    @BeforeAll
    static void createNamespaceAndCrd(KubernetesClient kubernetes) {
        client = kubernetes;
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().resource(widgetCrd()).serverSideApply();
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).waitUntilCondition(
                // status comes before its conditions
                c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
                        .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterAll
    static void deleteNamespace() {
        if (client != null) {
            client.namespaces().withName(NAMESPACE).delete();
        }
    }

    @Test
    void readyNodesInThreeZones() {
        var zones = client.nodes().list().getItems().stream()
                .filter(n -> n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .map(n -> n.getMetadata().getLabels().get("topology.kubernetes.io/zone"))
                .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
        assertThat(zones).as("zones of the Ready nodes (rack awareness needs them)").hasSizeGreaterThanOrEqualTo(3);
    }

    /**
     * kubectl port-forward as users run it: through the API server to the pod's node, where KWOK's kubelet endpoint
     * follows the pod's PortForward resource to a real process on 127.0.0.1.
     */
    @Test
    void portForwardToAPodReachesTheProcessItsPortForwardResourceNames() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (java.net.Socket socket = server.accept()) {
                    socket.getOutputStream().write("hello through the API server\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    // the test's read fails and says so
                }
            }, "port-forward-target");
            acceptor.setDaemon(true);
            acceptor.start();

            client.pods().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("forwarded").withLabels(Map.of("app", "forwarded")).endMetadata()
                    .withNewSpec().addNewContainer().withName("main").withImage("none")
                    .addNewPort().withName("talk").withContainerPort(7070).endPort().endContainer().endSpec()
                    .build()).create();
            client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
                    .withNewMetadata().withName("forwarded").endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "forwarded"))
                    .addNewPort().withPort(70).withNewTargetPort("talk").endPort().endSpec()
                    .build()).create();
            client.genericKubernetesResources("kwok.x-k8s.io/v1alpha1", "PortForward").inNamespace(NAMESPACE)
                    .resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion("kwok.x-k8s.io/v1alpha1").withKind("PortForward")
                            .withNewMetadata().withName("forwarded").endMetadata()
                            .addToAdditionalProperties("spec", Map.of("forwards", List.of(Map.of("ports", List.of(7070),
                                    "target", Map.of("address", "127.0.0.1", "port", server.getLocalPort())))))
                            .build()).create();
            client.pods().inNamespace(NAMESPACE).withName("forwarded").waitUntilCondition(Readiness::isPodReady, 60, TimeUnit.SECONDS);

            // the pod's port, as kubectl port-forward svc/forwarded 70 resolves it (fabric8's Service port-forward does
            // not resolve target ports); KWOK may take a moment to see the PortForward resource, so a few attempts
            String line = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (line == null && System.nanoTime() < deadline) {
                try (var forward = client.pods().inNamespace(NAMESPACE).withName("forwarded")
                        .portForward(7070, java.net.InetAddress.getLoopbackAddress(), 0);
                     java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), forward.getLocalPort())) {
                    socket.setSoTimeout(20_000);
                    line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                            java.nio.charset.StandardCharsets.UTF_8)).readLine();
                }
                if (line == null) {
                    Thread.sleep(500);
                }
            }
            assertThat(line).isEqualTo("hello through the API server");
        }
    }

    @Test
    void crdSchemaStatusSubresourceServerSideApplyAndFinalizers() {
        var widgets = widgets();
        GenericKubernetesResource created = widgets.resource(new GenericKubernetesResourceBuilder(
                widget("good", Map.of("size", "small", "replicas", 3))).addToAdditionalProperties("status", Map.of("ready", 7)).build()).create();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getAdditionalProperties()).as("status is ignored on the main resource").doesNotContainKey("status");

        assertThatThrownBy(() -> widgets.resource(widget("bad", Map.of("size", "huge", "replicas", 0))).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.size").contains("spec.replicas");
                });
        assertThat(widgets.withName("bad").get()).isNull();

        // status goes through its subresource and does not change the generation; a spec change does
        GenericKubernetesResource withStatus = widgets.withName("good").get();
        withStatus.setAdditionalProperty("status", Map.of("ready", 2));
        widgets.resource(withStatus).updateStatus();
        GenericKubernetesResource afterStatus = widgets.withName("good").get();
        assertThat(afterStatus.get("status", "ready").toString()).isEqualTo("2");
        assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);

        GenericKubernetesResource applied = widgets.resource(widget("good", Map.of("size", "large", "replicas", 3)))
                .fieldManager("strand-smoke").forceConflicts().serverSideApply();
        assertThat(applied.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(applied.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
                .contains(org.assertj.core.groups.Tuple.tuple("strand-smoke", "Apply"));

        // a finalizer holds a deleted resource until it is removed
        widgets.resource(widget("held", Map.of("size", "small"))).create();
        widgets.withName("held").edit(w -> new GenericKubernetesResourceBuilder(w).editMetadata()
                .addToFinalizers(GROUP + "/hold").endMetadata().build());
        widgets.withName("held").delete();
        GenericKubernetesResource held = widgets.withName("held").get();
        assertThat(held).isNotNull();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        widgets.withName("held").edit(w -> new GenericKubernetesResourceBuilder(w).editMetadata()
                .withFinalizers(List.of()).endMetadata().build());
        eventually("the held widget to go once its finalizer is removed", () -> widgets.withName("held").get() == null);
    }

    @Test
    void statefulSetPodsAndClaimsThroughDeletionScalingAndGarbageCollection() {
        GenericKubernetesResource owner = widgets().resource(widget("owner", Map.of("size", "small"))).create();
        OwnerReference ownedBy = new OwnerReferenceBuilder().withApiVersion(GROUP + "/v1").withKind("Widget")
                .withName("owner").withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
        client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName("web")
                .withOwnerReferences(ownedBy).endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "web")
                .addNewPort().withPort(9092).withName("kafka").endPort().endSpec().build()).create();
        client.apps().statefulSets().inNamespace(NAMESPACE).resource(statefulSet(ownedBy)).create();

        awaitReadyPods(3);
        assertClaimsBoundOnTheirPodsNodes(3);

        // a deleted pod comes back under the same name with the same claim
        Pod before = pod("web-1");
        String claimUid = client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-web-1").get().getMetadata().getUid();
        client.pods().inNamespace(NAMESPACE).withName("web-1").delete();
        eventually("web-1 to be re-created and Ready", () -> {
            Pod now = pod("web-1");
            return now != null && !now.getMetadata().getUid().equals(before.getMetadata().getUid()) && Readiness.isPodReady(now);
        });
        assertThat(claimNames(pod("web-1"))).containsExactly("data-web-1");
        assertThat(client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-web-1").get().getMetadata().getUid())
                .isEqualTo(claimUid);

        client.apps().statefulSets().inNamespace(NAMESPACE).withName("web").scale(5);
        awaitReadyPods(5);
        assertClaimsBoundOnTheirPodsNodes(5);

        client.apps().statefulSets().inNamespace(NAMESPACE).withName("web").scale(3);
        eventually("web-3 and web-4 to go", () -> pod("web-3") == null && pod("web-4") == null);
        awaitReadyPods(3);
        assertThat(claim("data-web-4")).as("scale-down keeps the claims (retention policy Retain)").isNotNull();

        // a claim asking for more grows where the class allows expansion (the operator's storage growth);
        // the local control plane's class does, kind's default (local-path) does not
        if (defaultClassAllowsExpansion()) {
            expandClaim();
        }

        // deleting the owner lets the garbage collector remove the StatefulSet, its pods and the Service
        widgets().withName("owner").delete();
        eventually("the garbage collector to remove the owner's dependents", () ->
                client.apps().statefulSets().inNamespace(NAMESPACE).withName("web").get() == null
                        && client.services().inNamespace(NAMESPACE).withName("web").get() == null
                        && client.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().isEmpty());
        assertThat(claim("data-web-0")).as("claims are not owned by the StatefulSet").isNotNull();

        // deleting a claim releases its volume, which the class's reclaim policy (Delete) removes
        String volume = claim("data-web-4").getSpec().getVolumeName();
        client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-web-4").delete();
        eventually("volume " + volume + " to be reclaimed", () -> client.persistentVolumes().withName(volume).get() == null);
    }

    private static boolean defaultClassAllowsExpansion() {
        return client.storage().v1().storageClasses().list().getItems().stream()
                .filter(c -> "true".equals(c.getMetadata().getAnnotations().get("storageclass.kubernetes.io/is-default-class")))
                .anyMatch(c -> Boolean.TRUE.equals(c.getAllowVolumeExpansion()));
    }

    private void expandClaim() {
        client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-web-0").edit(c -> {
            c.getSpec().getResources().getRequests().put("storage", new Quantity("2Gi"));
            return c;
        });
        eventually("data-web-0 and its volume to grow to 2Gi", () -> {
            PersistentVolumeClaim grown = claim("data-web-0");
            Quantity capacity = grown.getStatus().getCapacity().get("storage");
            return capacity != null && capacity.equals(new Quantity("2Gi")) && new Quantity("2Gi").equals(
                    client.persistentVolumes().withName(grown.getSpec().getVolumeName()).get().getSpec().getCapacity().get("storage"));
        });
    }

    private static CustomResourceDefinition widgetCrd() {
        JSONSchemaProps spec = new JSONSchemaPropsBuilder().withType("object").withRequired("size")
                .addToProperties("size", new JSONSchemaPropsBuilder().withType("string")
                        .withEnum(TextNode.valueOf("small"), TextNode.valueOf("large")).build())
                .addToProperties("replicas", new JSONSchemaPropsBuilder().withType("integer").withMinimum(1.0).withMaximum(9.0).build())
                .build();
        JSONSchemaProps status = new JSONSchemaPropsBuilder().withType("object")
                .addToProperties("ready", new JSONSchemaPropsBuilder().withType("integer").build()).build();
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("widgets." + GROUP).endMetadata()
                .withNewSpec().withGroup(GROUP).withScope("Namespaced")
                .withNewNames().withKind("Widget").withPlural("widgets").withSingular("widget").withListKind("WidgetList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .addToProperties("spec", spec).addToProperties("status", status).endOpenAPIV3Schema().endSchema()
                .endVersion().endSpec().build();
    }

    private static GenericKubernetesResource widget(String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion(GROUP + "/v1").withKind("Widget")
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .addToAdditionalProperties("spec", spec).build();
    }

    private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> widgets() {
        return (MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>)
                client.genericKubernetesResources(GROUP + "/v1", "Widget").inNamespace(NAMESPACE);
    }

    private static StatefulSet statefulSet(OwnerReference ownedBy) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName("web").withOwnerReferences(ownedBy).endMetadata()
                .withNewSpec().withReplicas(3).withServiceName("web")
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(5L).addNewContainer().withName("broker")
                .withImage("registry.k8s.io/pause:3.10")
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/strand").endVolumeMount()
                .endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .endVolumeClaimTemplate()
                .endSpec().build();
    }

    private void awaitReadyPods(int count) {
        eventually(count + " Ready pods", () -> {
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems();
            return pods.size() == count && pods.stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() == null && Readiness.isPodReady(p));
        });
        StatefulSet sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName("web").get();
        eventually("the StatefulSet to report " + count + " ready replicas", () -> {
            StatefulSet s = client.apps().statefulSets().inNamespace(NAMESPACE).withName("web").get();
            return s.getStatus() != null && Integer.valueOf(count).equals(s.getStatus().getReadyReplicas());
        });
        assertThat(sts).isNotNull();
    }

    private void assertClaimsBoundOnTheirPodsNodes(int count) {
        for (int i = 0; i < count; i++) {
            Pod pod = pod("web-" + i);
            assertThat(pod.getSpec().getNodeName()).as("web-%d is scheduled", i).isNotBlank();
            PersistentVolumeClaim claim = claim("data-web-" + i);
            assertThat(claim.getStatus().getPhase()).as("data-web-%d", i).isEqualTo("Bound");
            PersistentVolume volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
            assertThat(volume.getSpec().getCapacity().get("storage")).isEqualTo(new Quantity("1Gi"));
            if (volume.getSpec().getNodeAffinity() != null) {
                String affinity = volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().toString();
                assertThat(affinity).as("volume of web-%d is on its node", i).contains(pod.getSpec().getNodeName());
            }
        }
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name).get();
    }

    private static PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(name).get();
    }

    private static List<String> claimNames(Pod pod) {
        return pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).collect(Collectors.toList());
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
