package io.strand.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strand.operator.api.KafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart without a cluster: lint, schema, what it renders (parsed with fabric8's typed model), and its copies. */
class ChartTest {

    /** Every optional feature of values.yaml switched on. */
    static final String EVERYTHING_ON = """
            watchNamespaces: [team-a, team-b]
            image: {repository: registry.example/strand/operator, tag: "0.1.0-rc1", pullPolicy: Always}
            imagePullSecrets: [{name: regcred}]
            brokerImage: registry.example/strand/broker:0.1.0
            serviceAccount: {annotations: {example.com/role: strand}}
            podAnnotations: {example.com/scrape: "true"}
            podLabels: {team: data}
            nodeSelector: {kubernetes.io/os: linux}
            tolerations: [{key: dedicated, operator: Equal, value: strand, effect: NoSchedule}]
            affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]}]}}}
            priorityClassName: system-cluster-critical
            extraEnv: [{name: QUARKUS_OPERATOR_SDK_CONTROLLERS_TOPIC_MAX_RECONCILIATION_INTERVAL, value: PT30S}]
            metrics:
              serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}
            exampleCluster:
              enabled: true
              storage: {storageClass: standard}
            """;

    @Test
    void lintIsCleanWithTheDefaults() {
        assertLintPasses(Charts.chart());
    }

    @Test
    void lintIsCleanWithEveryOptionalFeatureOn(@TempDir Path copy) throws IOException {
        // helm lint takes no values: lint a copy whose values.yaml switches everything on
        copyChart(Charts.chart(), copy);
        Files.writeString(copy.resolve("values.yaml"), Charts.merge(Charts.read(copy.resolve("values.yaml")), EVERYTHING_ON));
        assertLintPasses(copy);
    }

    @Test
    void everyValueIsDocumented() {
        // a key needs a comment on the line above, unless it sits inside a value documented as a whole ("# -- ..."
        // above a map such as resources, whose keys are Kubernetes' own)
        List<String> undocumented = new ArrayList<>();
        List<String> lines = Charts.read(Charts.chart().resolve("values.yaml")).lines().toList();
        java.util.Deque<int[]> wholeValues = new java.util.ArrayDeque<>(); // indents of keys documented as a whole
        String previous = "";
        String commentStart = ""; // the first line of the comment block just above
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.isEmpty()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            while (!wholeValues.isEmpty() && wholeValues.peek()[0] >= indent && !stripped.startsWith("#")) {
                wholeValues.pop();
            }
            boolean key = !stripped.startsWith("#") && !stripped.startsWith("-") && stripped.matches("^[A-Za-z0-9_.-]+:.*");
            if (key && wholeValues.isEmpty()) {
                if (!previous.startsWith("#")) {
                    undocumented.add(stripped);
                }
                if (previous.startsWith("#") && commentStart.startsWith("# --") && stripped.endsWith(":")) {
                    wholeValues.push(new int[] {indent});
                }
            }
            if (stripped.startsWith("#") && !previous.startsWith("#")) {
                commentStart = stripped;
            }
            previous = stripped;
        }
        assertThat(undocumented).as("keys of values.yaml without a comment above them").isEmpty();
    }

    @Test
    void theSchemaRejectsMisspelledValuesAndWrongTypes() {
        assertThatThrownBy(() -> Charts.templateWith("exampleCluster: {enabeld: true}\n"))
                .hasMessageContaining("enabeld").hasMessageContaining("not allowed");
        assertThatThrownBy(() -> Charts.templateWith("watchNamespace: [team-a]\n"))
                .hasMessageContaining("watchNamespace").hasMessageContaining("not allowed");
        assertThatThrownBy(() -> Charts.templateWith("image: {repository: strand/operator, tags: latest}\n"))
                .hasMessageContaining("tags").hasMessageContaining("not allowed");
        assertThatThrownBy(() -> Charts.templateWith("exampleCluster: {replicas: three}\n"))
                .hasMessageContaining("/exampleCluster/replicas").hasMessageContaining("want integer");
        assertThatThrownBy(() -> Charts.templateWith("watchNamespaces: team-a\n"))
                .hasMessageContaining("/watchNamespaces").hasMessageContaining("want array");
        assertThatThrownBy(() -> Charts.templateWith("rbac: {create: \"yes\"}\n"))
                .hasMessageContaining("/rbac/create").hasMessageContaining("want boolean");
        assertThatThrownBy(() -> Charts.templateWith("image: {pullPolicy: Sometimes}\n"))
                .hasMessageContaining("/image/pullPolicy");
    }

    @Test
    void theDefaultsRenderExactlyTheOperatorsObjects() {
        List<HasMetadata> objects = Charts.parse(Charts.template(null));
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");
        assertTyped(objects);
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "strand-operator")
                .containsEntry("app.kubernetes.io/instance", Charts.RELEASE)
                .containsEntry("app.kubernetes.io/managed-by", "Helm"));

        ServiceAccount account = only(objects, ServiceAccount.class);
        assertThat(account.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);

        Deployment deployment = only(objects, Deployment.class);
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);
        assertThat(deployment.getSpec().getReplicas()).as("no leader election: one replica").isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("never two at once").isEqualTo("Recreate");
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isNotEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getContainers()).hasSize(1);
        Container operator = pod.getContainers().get(0);
        assertThat(operator.getImage()).isEqualTo("strand/operator:0.1.0");
        assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(operator.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(m.getName()))
                    .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
        });
        assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(operator.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
        assertThat(operator.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getContainerPort()).isEqualTo(8080);
            assertThat(p.getName()).isEqualTo("http");
        });
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(env(operator)).containsEntry("STRAND_OPERATOR_BROKER_IMAGE", "strand/broker:0.1.0")
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_KAFKACLUSTER_NAMESPACES", "JOSDK_ALL_NAMESPACES")
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_TOPIC_NAMESPACES", "JOSDK_ALL_NAMESPACES");

        Service metrics = only(objects, Service.class);
        assertThat(metrics.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(metrics.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
        assertThat(metrics.getMetadata().getAnnotations()).containsEntry("prometheus.io/path", "/q/metrics");

        ClusterRole role = only(objects, ClusterRole.class);
        ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(Charts.NAMESPACE);
        });
        assertThat(resources(role.getRules())).contains("strand.io/kafkaclusters", "strand.io/kafkaclusters/status",
                "strand.io/topics", "strand.io/topics/status", "apps/statefulsets", "core/services", "core/configmaps",
                "core/serviceaccounts", "policy/poddisruptionbudgets", "core/pods", "core/persistentvolumeclaims",
                "monitoring.coreos.com/podmonitors", "apiextensions.k8s.io/customresourcedefinitions");
    }

    @Test
    void everyOptionalFeatureRendersValidObjects() {
        List<HasMetadata> objects = Charts.parse(Charts.templateWith(EVERYTHING_ON));
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Role", "RoleBinding",
                "Service", "Deployment", "ServiceMonitor", "KafkaCluster");
        assertTyped(objects.stream().filter(o -> !o.getKind().equals("ServiceMonitor") && !o.getKind().equals("KafkaCluster")).toList());

        ServiceMonitor monitor = Charts.convert(only(objects, "ServiceMonitor"), ServiceMonitor.class);
        assertThat(UnknownFields.of(monitor)).as("fields fabric8's ServiceMonitor does not know").isEmpty();
        Service service = only(objects, Service.class);
        assertThat(monitor.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getSpec().getSelector());
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getName());
            assertThat(e.getPath()).isEqualTo("/q/metrics");
            assertThat(e.getInterval()).isEqualTo("15s");
        });
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");

        KafkaCluster example = strictly(only(objects, "KafkaCluster"), KafkaCluster.class);
        assertThat(example.getMetadata().getName()).isEqualTo("example");
        assertThat(example.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);
        assertThat(example.getSpec().getReplicas()).isEqualTo(3);
        assertThat(example.getSpec().getStorage().getSize()).isEqualTo("1Gi");
        assertThat(example.getSpec().getStorage().getStorageClass()).isEqualTo("standard");
        assertThat(example.getSpec().getMetrics().getEnabled()).isTrue();

        Container operator = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(operator.getImage()).isEqualTo("registry.example/strand/operator:0.1.0-rc1");
        assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
        assertThat(env(operator)).containsEntry("STRAND_OPERATOR_BROKER_IMAGE", "registry.example/strand/broker:0.1.0")
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_TOPIC_MAX_RECONCILIATION_INTERVAL", "PT30S");
    }

    @Test
    void watchNamespacesTurnsTheClusterRoleIntoRolesInThoseNamespaces() {
        List<HasMetadata> objects = Charts.parse(Charts.templateWith("watchNamespaces: [team-a, team-b]\n"));
        assertTyped(objects);
        List<HasMetadata> clusterWide = Charts.parse(Charts.template(null));
        ClusterRole everything = only(clusterWide, ClusterRole.class);

        ClusterRole crdsOnly = only(objects, ClusterRole.class);
        assertThat(crdsOnly.getRules()).as("only the cluster-scoped CRD read stays cluster-wide").singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("apiextensions.k8s.io");
            assertThat(rule.getResources()).containsExactly("customresourcedefinitions");
            assertThat(rule.getVerbs()).containsExactly("get");
            assertThat(rule.getResourceNames()).containsExactlyInAnyOrder("kafkaclusters.strand.io", "topics.strand.io",
                    "podmonitors.monitoring.coreos.com");
        });
        List<Role> roles = all(objects, Role.class);
        assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b");
        List<PolicyRule> namespaced = everything.getRules().stream()
                .filter(r -> !r.getApiGroups().contains("apiextensions.k8s.io")).toList();
        assertThat(roles).allSatisfy(r -> assertThat(r.getRules()).as("the ClusterRole's namespaced rules").isEqualTo(namespaced));
        List<RoleBinding> bindings = all(objects, RoleBinding.class);
        assertThat(bindings).extracting(b -> b.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(bindings).allSatisfy(b -> {
            assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(b.getSubjects()).singleElement().satisfies(s -> assertThat(s.getNamespace()).isEqualTo(Charts.NAMESPACE));
        });

        Container operator = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(operator)).containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_KAFKACLUSTER_NAMESPACES", "team-a,team-b")
                .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_TOPIC_NAMESPACES", "team-a,team-b");
    }

    @Test
    void noRbacRuleUsesAWildcardOrGrantsMoreThanTheOperatorUses() {
        List<PolicyRule> rules = new ArrayList<>();
        for (String values : List.of("{}\n", "watchNamespaces: [team-a]\n", EVERYTHING_ON)) {
            for (HasMetadata object : Charts.parse(Charts.templateWith(values))) {
                if (object instanceof ClusterRole role) {
                    rules.addAll(role.getRules());
                } else if (object instanceof Role role) {
                    rules.addAll(role.getRules());
                }
            }
        }
        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*")
                    .doesNotContain("escalate", "bind", "impersonate", "deletecollection");
            assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
            assertThat(rule.getResources()).isNotEmpty().allSatisfy(r -> assertThat(r).doesNotContain("*"))
                    .doesNotContain("secrets", "nodes", "namespaces", "roles", "rolebindings", "clusterroles", "clusterrolebindings");
            assertThat(rule.getResourceNames()).doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        });
        assertThat(rules).filteredOn(r -> r.getResources().contains("pods"))
                .allSatisfy(r -> assertThat(r.getVerbs()).containsExactlyInAnyOrder("list", "delete"));
        assertThat(rules).filteredOn(r -> r.getResources().contains("kafkaclusters"))
                .allSatisfy(r -> assertThat(r.getVerbs()).as("KafkaClusters are only read").containsExactlyInAnyOrder("get", "list", "watch"));
    }

    @Test
    void theChartsCrdsAreExactCopiesOfTheGeneratedOnes() {
        List<String> differences = crdDifferences();
        if (differences.isEmpty()) {
            return;
        }
        if (Charts.updating()) {
            syncCrds();
            assertThat(crdDifferences()).isEmpty();
            return;
        }
        fail("helm/strand-operator/crds/ must be exact copies of crds/ (generated from the operator's classes; never edit "
                + "either by hand): " + differences + ". Run " + Charts.UPDATE_COMMAND + " to copy them.");
    }

    @Test
    void manifestsStrandOperatorYamlIsTheChartRenderedWithItsDefaults() {
        if (Charts.updating()) {
            syncCrds();
        }
        String expected = Charts.manifestText();
        String actual = Files.isRegularFile(Charts.manifest()) ? Charts.read(Charts.manifest()) : null;
        if (expected.equals(actual)) {
            return;
        }
        if (Charts.updating()) {
            Charts.write(Charts.manifest(), expected);
            return;
        }
        fail(Charts.manifest() + (actual == null ? " is missing" : " differs from a fresh render of helm/strand-operator")
                + ". Run " + Charts.UPDATE_COMMAND + " to rewrite it (never edit it by hand).");
    }

    @Test
    void theManifestParsesIntoTypedObjectsWithANamespaceFirst() {
        // the text the file must hold (compared with the file above)
        List<HasMetadata> objects = Charts.parse(Charts.manifestText());
        assertThat(objects.get(0).getKind()).isEqualTo("Namespace");
        assertThat(objects.get(0).getMetadata().getName()).isEqualTo(Charts.NAMESPACE);
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Namespace",
                "CustomResourceDefinition", "CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Service", "Deployment");
        assertTyped(objects);
    }

    // --- helpers

    private static void assertLintPasses(Path chart) {
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict %s: %s", chart, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).doesNotContain("[WARNING]").doesNotContain("[ERROR]"));
    }

    /** Every object is of fabric8's typed model (not a generic resource) and has no field the model does not know. */
    private static void assertTyped(List<HasMetadata> objects) {
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.getClass().getName()).as("%s %s parsed as a typed object", o.getKind(), o.getMetadata().getName())
                    .doesNotEndWith("GenericKubernetesResource");
            assertThat(UnknownFields.of(o)).as("fields of %s %s that the model does not know", o.getKind(), o.getMetadata().getName())
                    .isEmpty();
        });
    }

    /** Jackson refusing any field the operator's own classes do not have (they keep no additionalProperties). */
    static <T> T strictly(Object object, Class<T> type) {
        ObjectMapper strict = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        return strict.convertValue(Charts.asMap(object), type);
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static List<String> resources(List<PolicyRule> rules) {
        return rules.stream().flatMap(r -> r.getApiGroups().stream()
                        .flatMap(g -> r.getResources().stream().map(res -> (g.isEmpty() ? "core" : g) + "/" + res)))
                .toList();
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> matching = all(objects, type);
        assertThat(matching).as("objects of type %s", type.getSimpleName()).hasSize(1);
        return matching.get(0);
    }

    private static HasMetadata only(List<HasMetadata> objects, String kind) {
        List<HasMetadata> matching = objects.stream().filter(o -> kind.equals(o.getKind())).toList();
        assertThat(matching).as("objects of kind %s", kind).hasSize(1);
        return matching.get(0);
    }

    private static <T> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static void copyChart(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.sorted(Comparator.comparing(Path::toString)).toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static List<String> crdDifferences() {
        Map<String, Path> generated = byName(Charts.files(Charts.topLevelCrds()));
        Map<String, Path> copies = byName(Charts.files(Charts.chartCrds()));
        List<String> differences = new ArrayList<>();
        generated.forEach((name, file) -> {
            Path copy = copies.get(name);
            if (copy == null) {
                differences.add(name + " is missing from the chart");
            } else if (!Charts.read(copy).equals(Charts.read(file))) {
                differences.add(name + " differs");
            }
        });
        copies.keySet().stream().filter(n -> !generated.containsKey(n)).forEach(n -> differences.add(n + " is not in crds/"));
        return differences;
    }

    private static void syncCrds() {
        Map<String, Path> generated = byName(Charts.files(Charts.topLevelCrds()));
        for (Path copy : Charts.files(Charts.chartCrds())) {
            if (!generated.containsKey(copy.getFileName().toString())) {
                try {
                    Files.delete(copy);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        generated.forEach((name, file) -> Charts.write(Charts.chartCrds().resolve(name), Charts.read(file)));
    }

    private static Map<String, Path> byName(List<Path> files) {
        return files.stream().collect(Collectors.toMap(f -> f.getFileName().toString(), Function.identity()));
    }
}
