package io.strand.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chart, rendered with the Helm library (helm-java embeds Helm: no helm binary needed), and the files it must agree
 * with: the top-level crds/ (generated from the operator's classes) and manifests/strand-operator.yaml.
 */
final class Charts {

    static final String RELEASE = "strand-operator";
    static final String NAMESPACE = "strand-system";
    static final String UPDATE_PROPERTY = "strand.manifests.update";
    static final String UPDATE_COMMAND = "mvn -B verify -f e2e/chart/pom.xml -D" + UPDATE_PROPERTY + "=true";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");

    private Charts() {
    }

    static Path repo() {
        return Path.of(System.getProperty("strand.repo.dir", "../..")).toAbsolutePath().normalize();
    }

    static Path chart() {
        return repo().resolve("helm/strand-operator");
    }

    static Path topLevelCrds() {
        return repo().resolve("crds");
    }

    static Path chartCrds() {
        return chart().resolve("crds");
    }

    static Path manifest() {
        return repo().resolve("manifests/strand-operator.yaml");
    }

    static Path examples() {
        return repo().resolve("manifests/examples");
    }

    static boolean updating() {
        return Boolean.getBoolean(UPDATE_PROPERTY);
    }

    /** {@code helm template strand-operator <chart> --namespace strand-system [-f values]}, without the CRDs. */
    static String template(Path chart, String release, String namespace, Path valuesFile) {
        TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(namespace);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return template.call();
    }

    static String template(Path valuesFile) {
        return template(chart(), RELEASE, NAMESPACE, valuesFile);
    }

    /** Renders with these values (YAML text), written to a temporary values file. */
    static String templateWith(String valuesYaml) {
        try {
            Path values = Files.createTempFile("strand-operator-values", ".yaml");
            try {
                Files.writeString(values, valuesYaml);
                return template(values);
            } finally {
                Files.deleteIfExists(values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The chart's CRDs as {@code helm template --include-crds} prints them (Helm's renderResources: each file of crds/
     * in name order, as it is, ahead of the templates); helm-java's template has no such option.
     */
    static String crdDocuments(Path chart) {
        StringBuilder out = new StringBuilder();
        for (Path crd : files(chart.resolve("crds"))) {
            out.append("---\n# Source: ").append(chart.getFileName()).append("/crds/").append(crd.getFileName()).append('\n')
                    .append(read(crd)).append('\n');
        }
        return out.toString();
    }

    /** What manifests/strand-operator.yaml must hold: a Namespace, then the chart rendered with its defaults. */
    static String manifestText() {
        return "# The Strand operator with the chart's default values, in namespace " + NAMESPACE + ". Generated; do not edit.\n"
                + "# From helm/strand-operator, rendered like\n"
                + "#   helm template " + RELEASE + " helm/strand-operator --namespace " + NAMESPACE + " --include-crds\n"
                + "# with a Namespace first. e2e/chart's ChartTest fails when this file differs from a fresh render;\n"
                + "# " + UPDATE_COMMAND + " rewrites it.\n"
                + "# Install: kubectl apply --server-side -f manifests/strand-operator.yaml\n"
                + "---\n"
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata:\n"
                + "  name: " + NAMESPACE + "\n"
                + "  labels:\n"
                + "    app.kubernetes.io/part-of: strand\n"
                + crdDocuments(chart())
                + template(null).strip() + "\n";
    }

    /** Every object of a multi-document YAML text, typed where fabric8 knows the kind. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            boolean empty = document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
            if (!empty) {
                objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
            }
        }
        return objects;
    }

    /** The values YAML {@code overrides} merged into {@code defaults}, as Helm merges a values file (maps deeply). */
    static String merge(String defaults, String overrides) {
        Map<String, Object> merged = yamlMap(defaults);
        deepMerge(merged, yamlMap(overrides));
        return SERIALIZATION.asYaml(merged);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yamlMap(String yaml) {
        return new java.util.LinkedHashMap<>((Map<String, Object>) SERIALIZATION.unmarshal(yaml, Map.class));
    }

    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && into.get(key) instanceof Map<?, ?> existing) {
                Map<String, Object> copy = new java.util.LinkedHashMap<>((Map<String, Object>) existing);
                deepMerge(copy, (Map<String, Object>) map);
                into.put(key, copy);
            } else {
                into.put(key, value);
            }
        });
    }

    static <T> T convert(Object object, Class<T> type) {
        return SERIALIZATION.convertValue(object, type);
    }

    static Map<String, Object> asMap(Object object) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = SERIALIZATION.convertValue(object, Map.class);
        return map;
    }

    static List<Path> files(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
