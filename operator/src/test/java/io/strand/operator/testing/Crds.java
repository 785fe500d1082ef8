package io.strand.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Installs the operator's CRDs from crds/ (as generated, never hand copies) and waits until they are served. */
public final class Crds {

    private static final Duration ESTABLISHED = Duration.ofSeconds(60);

    private Crds() {
    }

    public static Path directory() {
        return Path.of(System.getProperty("strand.crds.dir", "../crds"));
    }

    // the API server fills in status before its conditions: a CRD seen in between has a status with no conditions
    public static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static void install(KubernetesClient client) {
        try (Stream<Path> files = Files.list(directory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(file.toFile()).item();
                client.resource(crd).forceConflicts().serverSideApply();
                client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                        .waitUntilCondition(Crds::established, ESTABLISHED.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CRDs in " + directory(), e);
        }
    }
}
