package io.strand.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.strand.k8s.testenv.KubernetesControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * manifests/ against a real API server: every object of strand-operator.yaml passes a server-side dry run (the API
 * server's own schemas, strict field validation) and then applies; the examples pass the installed CRDs' schemas, and
 * broken variants of them are refused.
 */
@ExtendWith(KubernetesControlPlane.class)
class ManifestsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EXAMPLES = "manifests-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String FIELD_MANAGER = "strand-manifests-it";

    private static KubernetesClient client;
    private static boolean applied;

    @BeforeAll
    static void connect(KubernetesClient kubernetes) {
        client = kubernetes;
    }

    @AfterAll
    static void cleanUp() {
        if (client != null) {
            client.namespaces().withName(EXAMPLES).delete();
        }
    }

    @Test
    void theOperatorManifestPassesAServerSideDryRunAndApplies() {
        applyOperatorManifest();

        Deployment deployment = client.apps().deployments().inNamespace(Charts.NAMESPACE).withName(Charts.RELEASE).get();
        assertThat(deployment).isNotNull();
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(client.serviceAccounts().inNamespace(Charts.NAMESPACE).withName(Charts.RELEASE).get().getMetadata().getName());
        // the pod template also passes the Deployment controller and the scheduler (pods here run no container)
        client.apps().deployments().inNamespace(Charts.NAMESPACE).withName(Charts.RELEASE).waitUntilCondition(
                d -> d != null && d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getReplicas()),
                WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void theExamplesPassTheCrdSchemas() {
        applyOperatorManifest();
        for (Path file : Charts.files(Charts.examples())) {
            for (HasMetadata object : Charts.parse(Charts.read(file))) {
                HasMetadata validated = dryRun(object);
                assertThat(validated.getMetadata().getNamespace()).as("%s", file).isEqualTo(EXAMPLES);
                assertThat(Charts.asMap(validated)).as("%s, as the API server would store it", file).containsKey("spec");
            }
        }
    }

    @Test
    void theApiServerRefusesBrokenExamples() {
        applyOperatorManifest();
        assertRefused("kafkacluster.yaml", spec -> spec.put("replicas", -1), "replicas");
        assertRefused("kafkacluster.yaml", spec -> spec.remove("storage"), "storage");
        assertRefused("kafkacluster.yaml", spec -> storage(spec).remove("size"), "size");
        assertRefused("kafkacluster.yaml", spec -> storage(spec).put("size", "lots"), "size");
        assertRefused("kafkacluster.yaml", spec -> spec.put("replica", 3), "unknown field \"spec.replica\"");
        assertRefused("topic.yaml", spec -> spec.put("partitions", 0), "partitions");
        assertRefused("topic.yaml", spec -> spec.remove("clusterRef"), "clusterRef");
    }

    // --- helpers

    /** Namespace for real first (namespaced objects cannot be dry-run into a missing one), all dry-run, then all for real. */
    private static synchronized void applyOperatorManifest() {
        if (applied) {
            return;
        }
        List<HasMetadata> objects = Charts.parse(Charts.read(Charts.manifest()));
        assertThat(objects.get(0).getKind()).isEqualTo("Namespace");
        apply(objects.get(0), false);
        List<String> refused = new ArrayList<>();
        for (HasMetadata object : objects) {
            try {
                apply(object, true);
            } catch (KubernetesClientException e) {
                refused.add(object.getKind() + " " + object.getMetadata().getName() + ": " + e.getMessage());
            }
        }
        assertThat(refused).as("objects of %s the API server refuses in a dry run", Charts.manifest()).isEmpty();
        for (HasMetadata object : objects) {
            apply(object, false);
            if (object instanceof CustomResourceDefinition crd) {
                client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                        .waitUntilCondition(ManifestsIT::established, WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        if (client.namespaces().withName(EXAMPLES).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(EXAMPLES).endMetadata().build()).create();
        }
        applied = true;
    }

    private static HasMetadata apply(HasMetadata object, boolean dryRun) {
        return client.resource(object).dryRun(dryRun).fieldValidation(Validation.STRICT)
                .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private static HasMetadata dryRun(HasMetadata object) {
        return client.resource(object).inNamespace(EXAMPLES).dryRun().fieldValidation(Validation.STRICT)
                .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private static void assertRefused(String example, Consumer<Map<String, Object>> breakIt, String mentioning) {
        GenericKubernetesResource object = Charts.convert(
                Charts.parse(Charts.read(Charts.examples().resolve(example))).get(0), GenericKubernetesResource.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) object.getAdditionalProperties().get("spec");
        breakIt.accept(spec);
        // a create, not an apply: server-side apply answers an undeclared field with a 500 (and fabric8 retries those)
        assertThatThrownBy(() -> client.resource(object).inNamespace(EXAMPLES).dryRun().fieldValidation(Validation.STRICT).create())
                .as("%s with spec %s", example, spec)
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isIn(400, 422))
                .hasMessageContaining(mentioning);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> storage(Map<String, Object> spec) {
        return (Map<String, Object>) spec.get("storage");
    }

    // the API server fills in status before its conditions: a CRD seen in between has a status with no conditions
    static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
