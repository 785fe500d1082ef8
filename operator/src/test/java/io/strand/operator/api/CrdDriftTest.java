package io.strand.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code crds/} equal to what the API classes generate, so what users apply is what the operator was built
 * against. After an intended API change, regenerate the copies with
 * <pre>mvn -B -f operator/pom.xml test -Dtest=CrdDriftTest -Dstrand.crds.update=true</pre>
 * and commit them with the change.
 */
class CrdDriftTest {

    private static final String UPDATE_HINT = "crds/ is out of date with the API classes; regenerate it with "
            + "`mvn -B -f operator/pom.xml test -Dtest=CrdDriftTest -Dstrand.crds.update=true` and commit the result";

    @Test
    void committedCrdsMatchTheApiClasses(@TempDir Path generatedDir) throws IOException {
        Map<String, String> generated = generate(generatedDir);
        Path committedDir = crdsDirectory();
        if (Boolean.getBoolean("strand.crds.update")) {
            Files.createDirectories(committedDir);
            try (Stream<Path> old = Files.list(committedDir)) {
                for (Path stale : (Iterable<Path>) old.filter(p -> p.toString().endsWith(".yml"))::iterator) {
                    Files.delete(stale);
                }
            }
            for (Map.Entry<String, String> crd : generated.entrySet()) {
                Files.writeString(committedDir.resolve(crd.getKey()), crd.getValue());
            }
        }
        assertThat(read(committedDir)).as(UPDATE_HINT).isEqualTo(generated);
    }

    @Test
    void generatesOneCrdPerResource(@TempDir Path generatedDir) throws IOException {
        assertThat(generate(generatedDir)).containsOnlyKeys("kafkaclusters.strand.io-v1.yml", "topics.strand.io-v1.yml");
    }

    /** The same generator and options as quarkus-operator-sdk's build step, so crds/ matches the operator's build output. */
    static Map<String, String> generate(Path dir) throws IOException {
        new CRDGenerator()
                .customResourceClasses(KafkaCluster.class, Topic.class)
                .forCRDVersions("v1")
                .inOutputDir(dir.toFile())
                .generate();
        return read(dir);
    }

    private static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : (Iterable<Path>) list.filter(p -> p.toString().endsWith(".yml"))::iterator) {
                files.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return files;
    }

    static Path crdsDirectory() {
        String configured = System.getProperty("strand.crds.dir");
        return configured != null ? Path.of(configured) : Path.of("..", "crds");
    }
}
