package io.strand.chart;

import io.strand.k8s.testenv.Edits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.strand.k8s.testenv.ControlPlane;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Topic;
import io.strand.operator.cluster.KafkaClusterReconciler;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.status.Conditions;
import io.strand.operator.topic.TopicReconciler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's RBAC is enough for what the operator does: the chart's CRDs, ServiceAccount and (Cluster)Roles are
 * installed, and the operator's own reconcilers run in this JVM with a client that impersonates the chart's
 * ServiceAccount. The example KafkaCluster and Topic go through creation, every dependent (the PodMonitor too),
 * storage growth (claims patched, the StatefulSet re-created) and deletion, and no request may be forbidden.
 * (ChartTest shows that the rules use no wildcard; this shows they are sufficient.) The Deployment is not installed:
 * pods run no container in this control plane. No broker runs either: the reconcilers get an Admin factory that
 * fails at once, so nothing here leaves 127.0.0.1.
 */
@ExtendWith(KubernetesControlPlane.class)
class OperatorRbacIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final List<String> RBAC_KINDS = List.of("CustomResourceDefinition", "ServiceAccount", "ClusterRole",
            "ClusterRoleBinding", "Role", "RoleBinding");
    /** The brokers are out of reach, as they are before any broker pod runs a container. */
    private static final KafkaAdminFactory NO_BROKERS = cluster -> {
        throw new KafkaException("no brokers run in this test");
    };

    private static KubernetesClient admin;
    private static Path kubeconfig;
    /** The 403s of the operator's client during the current run: waits stop at the first one. */
    private static volatile ForbiddenRequests forbiddenNow;
    private static volatile String operatorUser;

    @BeforeAll
    static void connect(ControlPlane controlPlane) {
        admin = controlPlane.client();
        kubeconfig = controlPlane.kubeconfig();
    }

    @Test
    void theDefaultClusterRoleIsEnoughToRunTheOperatorEverywhere() throws IOException {
        String clusters = "rbac-all-" + SUFFIX;
        Installed chart = install(Charts.RELEASE, Charts.NAMESPACE, null, clusters);
        // the rules hold in a namespace the chart never heard of, and not beyond what the operator needs
        assertAllowed(chart, clusters, true);
        assertThat(allowed(chart, null, "strand.io", "kafkaclusters", "", "list", null)).as("list KafkaClusters cluster-wide").isTrue();
        runTheExampleThrough(chart, clusters, null);
    }

    @Test
    void rolesInTheWatchedNamespacesAreEnoughToRunTheOperatorThere() throws IOException {
        String clusters = "rbac-scoped-" + SUFFIX;
        Installed chart = install("strand-scoped", "strand-scoped-" + SUFFIX, "watchNamespaces: [" + clusters + "]\n", clusters);
        assertAllowed(chart, clusters, true);
        assertAllowed(chart, "default", false);
        assertThat(allowed(chart, null, "strand.io", "kafkaclusters", "", "list", null)).as("list KafkaClusters cluster-wide").isFalse();
        runTheExampleThrough(chart, clusters, clusters);
    }

    // --- the run

    private static void runTheExampleThrough(Installed chart, String namespace, String watched) throws IOException {
        ForbiddenRequests forbidden = new ForbiddenRequests();
        KubernetesClient asOperator = impersonating(chart.user(), chart.groups(), forbidden);
        Operator operator = new Operator(o -> o.withKubernetesClient(asOperator).withCloseClientOnStop(false)
                .withCacheSyncTimeout(Duration.ofSeconds(30))
                // what quarkus.operator-sdk.crd.validate does at startup: read the operator's CRDs
                .checkingCRDAndValidateLocalModel(true));
        // JOSDK remembers CRD checks JVM-wide (for a while): this run must look at the PodMonitor CRD itself
        CRDPresentActivationCondition.clearState();
        operator.register(new KafkaClusterReconciler(NO_BROKERS), o -> {
            if (watched != null) {
                o.settingNamespace(watched);
            }
        });
        operator.register(new TopicReconciler(NO_BROKERS), o -> {
            if (watched != null) {
                o.settingNamespace(watched);
            }
        });
        try {
            // the client really is the ServiceAccount, not this test's cluster-admin
            assertThatThrownBy(() -> asOperator.secrets().inNamespace(namespace).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            forbidden.clear();
            forbiddenNow = forbidden;
            operatorUser = chart.user();
            operator.start();
            exerciseTheExample(namespace);
        } finally {
            forbiddenNow = null;
            operator.stop();
            asOperator.close();
            admin.namespaces().withName(namespace).delete();
        }
        assertThat(forbidden.seen()).as("requests the API server refused to %s", chart.user()).isEmpty();
    }

    private static void exerciseTheExample(String namespace) {
        GenericKubernetesResource clusterExample = example("kafkacluster.yaml");
        GenericKubernetesResource topicExample = example("topic.yaml");
        String name = clusterExample.getMetadata().getName();
        admin.resource(clusterExample).inNamespace(namespace).create();
        admin.resource(topicExample).inNamespace(namespace).create();

        KafkaCluster ready = waitFor(name + " reconciled and Ready", () -> cluster(namespace, name), c -> c.getStatus() != null
                && Objects.equals(c.getStatus().getObservedGeneration(), c.getMetadata().getGeneration())
                && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)
                && Integer.valueOf(3).equals(c.getStatus().getReadyReplicas()));
        assertNoForbiddenCondition(ready.getStatus().getConditions());
        List<HasMetadata> owned = Stream.<HasMetadata>of(
                admin.serviceAccounts().inNamespace(namespace).withName(name + "-broker").get(),
                admin.configMaps().inNamespace(namespace).withName(name + "-config").get(),
                admin.services().inNamespace(namespace).withName(name + "-brokers").get(),
                admin.services().inNamespace(namespace).withName(name + "-bootstrap").get(),
                admin.apps().statefulSets().inNamespace(namespace).withName(name + "-broker").get(),
                admin.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name + "-broker").get()).toList();
        assertThat(owned).doesNotContainNull().allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
                .singleElement().satisfies(ref -> assertThat(ref.getUid()).isEqualTo(ready.getMetadata().getUid())));
        waitFor("the PodMonitor (metrics are on in the example)", () -> admin.genericKubernetesResources(
                "monitoring.coreos.com/v1", "PodMonitor").inNamespace(namespace).withName(name + "-broker").get(), Objects::nonNull);

        // the Topic controller: finalizer added, status written (no broker answers: ClusterUnreachable)
        String topicName = topicExample.getMetadata().getName();
        Topic topic = waitFor("the Topic's finalizer and status", () -> topic(namespace, topicName),
                t -> !t.getMetadata().getFinalizers().isEmpty() && t.getStatus() != null && t.getStatus().getConditions() != null
                        && Conditions.find(t.getStatus().getConditions(), Conditions.READY)
                                .filter(c -> TopicReconciler.CLUSTER_UNREACHABLE.equals(c.getReason())).isPresent());
        assertNoForbiddenCondition(topic.getStatus().getConditions());

        // storage growth: the claims are patched and the StatefulSet is deleted (orphaning its pods) and re-created
        String uid = admin.apps().statefulSets().inNamespace(namespace).withName(name + "-broker").get().getMetadata().getUid();
        Edits.edit(admin.resources(KafkaCluster.class).inNamespace(namespace).withName(name), c -> {
            c.getSpec().getStorage().setSize("2Gi");
            return c;
        });
        Quantity grown = new Quantity("2Gi");
        waitFor("all three claims grown to 2Gi", () -> Stream.of(0, 1, 2)
                .map(i -> admin.persistentVolumeClaims().inNamespace(namespace).withName("data-" + name + "-broker-" + i).get())
                .filter(c -> c != null && grown.equals(c.getSpec().getResources().getRequests().get("storage"))).count(),
                count -> count == 3);
        waitFor("a re-created StatefulSet with a 2Gi claim template", () -> admin.apps().statefulSets().inNamespace(namespace)
                .withName(name + "-broker").get(), s -> s != null && !s.getMetadata().getUid().equals(uid) && claimSize(s).equals(grown));
        KafkaCluster regrown = waitFor(name + " Ready again", () -> cluster(namespace, name), c -> c.getStatus() != null
                && Objects.equals(c.getStatus().getObservedGeneration(), c.getMetadata().getGeneration())
                && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY));
        assertNoForbiddenCondition(regrown.getStatus().getConditions());

        // deletion: with its cluster gone, the Topic's cleanup lets go of the finalizer
        admin.resources(KafkaCluster.class).inNamespace(namespace).withName(name).delete();
        waitFor(name + " gone", () -> cluster(namespace, name) == null, gone -> gone);
        admin.resources(Topic.class).inNamespace(namespace).withName(topicName).delete();
        waitFor("the Topic gone (its finalizer removed by the operator)", () -> topic(namespace, topicName) == null, gone -> gone);
    }

    // --- installing the chart's RBAC

    record Installed(String user, List<String> groups, String serviceAccount, String namespace) {
    }

    private static Installed install(String release, String namespace, String values, String clusters) throws IOException {
        for (String ns : List.of(namespace, clusters)) {
            if (admin.namespaces().withName(ns).get() == null) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
        }
        String rendered;
        Path valuesFile = null;
        try {
            if (values != null) {
                valuesFile = Files.createTempFile("strand-operator-values", ".yaml");
                Files.writeString(valuesFile, values);
            }
            rendered = Charts.crdDocuments(Charts.chart()) + Charts.template(Charts.chart(), release, namespace, valuesFile);
        } finally {
            if (valuesFile != null) {
                Files.deleteIfExists(valuesFile);
            }
        }
        List<HasMetadata> objects = Charts.parse(rendered).stream().filter(o -> RBAC_KINDS.contains(o.getKind())).toList();
        for (HasMetadata object : objects) {
            admin.resource(object).fieldManager("strand-rbac-it").forceConflicts().serverSideApply();
        }
        objects.stream().filter(CustomResourceDefinition.class::isInstance).forEach(crd -> admin.apiextensions().v1()
                .customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(ManifestsIT::established, WAIT.toSeconds(), TimeUnit.SECONDS));
        // the Prometheus Operator's PodMonitor CRD (reduced to what the API server needs), so PodMonitorDependent is active
        admin.apiextensions().v1().customResourceDefinitions().resource(podMonitorCrd()).serverSideApply();
        admin.apiextensions().v1().customResourceDefinitions().withName("podmonitors.monitoring.coreos.com")
                .waitUntilCondition(ManifestsIT::established, WAIT.toSeconds(), TimeUnit.SECONDS);

        String account = objects.stream().filter(ServiceAccount.class::isInstance).map(o -> o.getMetadata().getName())
                .findFirst().orElseThrow(() -> new AssertionError("the chart rendered no ServiceAccount"));
        Installed installed = new Installed("system:serviceaccount:" + namespace + ":" + account,
                List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"), account, namespace);
        // the authorizer caches RBAC objects: wait until the bindings are in force
        waitFor("the chart's bindings in force", () -> allowed(installed, clusters, "strand.io", "kafkaclusters", "", "watch", null),
                allowed -> allowed);
        return installed;
    }

    /** What the operator's code does that a short run may not reach (restarting a pod), and what it never needs. */
    private static void assertAllowed(Installed chart, String namespace, boolean expected) {
        List<String[]> needed = List.of(
                new String[] {"", "pods", "", "list", null},
                new String[] {"", "pods", "", "delete", null},
                new String[] {"", "persistentvolumeclaims", "", "patch", null},
                new String[] {"apps", "statefulsets", "", "delete", null},
                new String[] {"monitoring.coreos.com", "podmonitors", "", "create", null},
                new String[] {"strand.io", "topics", "", "patch", null},
                new String[] {"strand.io", "kafkaclusters", "status", "patch", null});
        for (String[] n : needed) {
            assertThat(allowed(chart, namespace, n[0], n[1], n[2], n[3], n[4]))
                    .as("%s may %s %s/%s in %s", chart.user(), n[3], n[1], n[2], namespace).isEqualTo(expected);
        }
        List<String[]> never = List.of(
                new String[] {"", "secrets", "", "get", null},
                new String[] {"", "pods", "", "create", null},
                new String[] {"strand.io", "kafkaclusters", "", "create", null},
                new String[] {"strand.io", "kafkaclusters", "", "delete", null},
                new String[] {"strand.io", "kafkaclusters", "", "patch", null},
                new String[] {"rbac.authorization.k8s.io", "roles", "", "create", null});
        for (String[] n : never) {
            assertThat(allowed(chart, namespace, n[0], n[1], n[2], n[3], n[4]))
                    .as("%s may %s %s/%s in %s", chart.user(), n[3], n[1], n[2], namespace).isFalse();
        }
        // cluster-scoped: its own CRDs (and the PodMonitor's) by name, nothing else
        for (String crd : List.of("kafkaclusters.strand.io", "topics.strand.io", "podmonitors.monitoring.coreos.com")) {
            assertThat(allowed(chart, null, "apiextensions.k8s.io", "customresourcedefinitions", "", "get", crd)).as("get CRD " + crd).isTrue();
        }
        assertThat(allowed(chart, null, "apiextensions.k8s.io", "customresourcedefinitions", "", "get", "roles.example.com")).isFalse();
        assertThat(allowed(chart, null, "apiextensions.k8s.io", "customresourcedefinitions", "", "update", "topics.strand.io")).isFalse();
    }

    private static boolean allowed(Installed chart, String namespace, String group, String resource, String subresource,
            String verb, String name) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(chart.user()).withGroups(chart.groups())
                .withNewResourceAttributes().withNamespace(namespace).withGroup(group).withResource(resource)
                .withSubresource(subresource).withVerb(verb).withName(name).endResourceAttributes().endSpec().build();
        return Boolean.TRUE.equals(admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
    }

    private static KubernetesClient impersonating(String user, List<String> groups, ForbiddenRequests forbidden) throws IOException {
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        config.setImpersonateUsername(user);
        config.setImpersonateGroups(groups.toArray(String[]::new));
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("strand-forbidden-requests", forbidden)).build();
    }

    /** Every request the API server answered 403, as "METHOD path?query". */
    static final class ForbiddenRequests implements Interceptor {
        private final Queue<String> seen = new ConcurrentLinkedQueue<>();

        @Override
        public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
            record(request, response);
        }

        @Override
        public CompletableFuture<Boolean> afterFailure(BasicBuilder builder, HttpResponse<?> response, RequestTags tags) {
            record(response.request(), response);
            return CompletableFuture.completedFuture(false);
        }

        private void record(HttpRequest request, HttpResponse<?> response) {
            if (response.code() == 403) {
                String query = request.uri().getRawQuery();
                String call = request.method() + " " + request.uri().getRawPath() + (query == null ? "" : "?" + query);
                if (!seen.contains(call)) {
                    seen.add(call);
                }
            }
        }

        void clear() {
            seen.clear();
        }

        List<String> seen() {
            return new ArrayList<>(seen);
        }
    }

    // --- helpers

    private static GenericKubernetesResource example(String file) {
        return Charts.convert(Charts.parse(Charts.read(Charts.examples().resolve(file))).get(0), GenericKubernetesResource.class);
    }

    private static KafkaCluster cluster(String namespace, String name) {
        return admin.resources(KafkaCluster.class).inNamespace(namespace).withName(name).get();
    }

    private static Topic topic(String namespace, String name) {
        return admin.resources(Topic.class).inNamespace(namespace).withName(name).get();
    }

    private static Quantity claimSize(StatefulSet statefulSet) {
        return statefulSet.getSpec().getVolumeClaimTemplates().stream().filter(t -> "data".equals(t.getMetadata().getName()))
                .findFirst().map(t -> t.getSpec().getResources().getRequests().get("storage")).orElse(new Quantity("0"));
    }

    private static void assertNoForbiddenCondition(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
        assertThat(conditions).allSatisfy(c -> assertThat((c.getReason() + " " + c.getMessage()).toLowerCase())
                .as("condition %s", c.getType()).doesNotContain("forbidden"));
    }

    private static CustomResourceDefinition podMonitorCrd() {
        return new CustomResourceDefinitionBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("podmonitors.monitoring.coreos.com").build())
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("PodMonitor").withPlural("podmonitors").withSingular("podmonitor").withListKind("PodMonitorList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
    }

    private static <T> T waitFor(String what, Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            ForbiddenRequests forbidden = forbiddenNow;
            if (forbidden != null && !forbidden.seen().isEmpty()) {
                throw new AssertionError("while waiting for " + what + ": the API server refused requests of the operator, "
                        + "running as " + operatorUser + " with the chart's RBAC: " + forbidden.seen());
            }
            last = read.get();
            if (last != null && done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last seen: " + last);
    }
}
