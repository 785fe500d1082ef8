package io.strand.e2e.scenarios;

import io.strand.e2e.scenarios.kind.KindFleet;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/**
 * The scenarios on kind, with the images strand/broker and strand/operator and the Helm chart:
 * {@code mvn -B verify -Pkind -f e2e/scenarios/pom.xml}. Skipped without Docker or the images (failed with CI=true).
 */
@Tag("kind")
class KindScenariosIT extends Scenarios {

    @Override
    protected Fleet openFleet() throws Exception {
        Path repo = Path.of(System.getProperty("strand.repo.dir", "../.."));
        return KindFleet.start(repo, System.getProperty("strand.image.tag", "0.1.0"),
                Path.of(System.getProperty("strand.e2e.work", System.getProperty("java.io.tmpdir"))).resolve("kind"));
    }
}
