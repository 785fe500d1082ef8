package io.strand.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs the Quarkus build wrote into target/kubernetes (what deployment manifests are made from) are the ones in
 * crds/. Runs after {@code package}, hence an IT; {@link CrdDriftTest} catches the same drift earlier in most cases.
 */
class QuarkusCrdOutputIT {

    @Test
    void quarkusBuildOutputEqualsCommittedCrds() throws IOException {
        Path built = Path.of("target", "kubernetes");
        Path committed = CrdDriftTest.crdsDirectory();
        try (Stream<Path> files = Files.list(committed)) {
            for (Path crd : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
                Path output = built.resolve(crd.getFileName());
                assertThat(output).as("the Quarkus build did not generate %s", crd.getFileName()).exists();
                assertThat(Files.readString(output)).as("%s differs between crds/ and target/kubernetes", crd.getFileName())
                        .isEqualTo(Files.readString(crd));
            }
        }
    }
}
