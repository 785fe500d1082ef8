package io.strand.e2e.scenarios;

import io.strand.e2e.scenarios.local.LocalFleet;
import io.strand.k8s.testenv.KubernetesControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scenarios on the local control plane: the operator's reconcilers in this JVM, one real broker process per KWOK
 * pod, started from the operator's rendered ConfigMap. The default run ({@code mvn verify}).
 */
@Tag("local")
@ExtendWith(KubernetesControlPlane.class)
class LocalScenariosIT extends Scenarios {

    @Override
    protected Fleet openFleet() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("strand.e2e.work", System.getProperty("java.io.tmpdir")))), "local-");
        return new LocalFleet(KubernetesControlPlane.shared().client(), dir);
    }
}
