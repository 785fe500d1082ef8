package io.strand.e2e.scenarios.kind;

import com.dajudge.kindcontainer.KindContainer;
import com.dajudge.kindcontainer.KindContainerVersion;
import com.github.dockerjava.api.DockerClient;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.strand.e2e.scenarios.ApiServerForwards;
import io.strand.e2e.scenarios.Fleet;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.utility.MountableFile;

/**
 * A kind cluster in a container (kindcontainer), the locally built images loaded into its node, the operator
 * installed from helm/strand-operator with the embedded Helm of helm-java, and port-forwards through the API server
 * with fabric8. Nothing is pulled from a registry except kind's node image, which must be available to Docker.
 *
 * <p>Unverified on the project's machines: kind cannot start there (no node image can be pulled).
 */
public final class KindFleet implements Fleet {

    static final String OPERATOR_NAMESPACE = "strand-system";

    private final KindContainer<?> kind;
    private final KubernetesClient client;
    private final String namespace = "e2e-" + UUID.randomUUID().toString().substring(0, 8);

    private KindFleet(KindContainer<?> kind, KubernetesClient client) {
        this.kind = kind;
        this.client = client;
    }

    /**
     * Skips (fails with CI=true) without Docker or without the images; then starts kind, loads the images and
     * installs the chart.
     */
    public static KindFleet start(Path repo, String tag, Path work) throws Exception {
        require(DockerClientFactory.instance().isDockerAvailable(),
                "needs a Docker engine for kind (see /work/shared/PLATFORM.md: apt-get install docker.io and start dockerd)");
        String brokerImage = "strand/broker:" + tag;
        String operatorImage = "strand/operator:" + tag;
        DockerClient docker = DockerClientFactory.instance().client();
        for (String image : List.of(brokerImage, operatorImage)) {
            boolean present;
            try {
                docker.inspectImageCmd(image).exec();
                present = true;
            } catch (RuntimeException e) {
                present = false;
            }
            require(present, "needs the image " + image + ": build it with .ci/images");
        }
        Path chart = repo.resolve("helm/strand-operator");
        require(Files.isRegularFile(chart.resolve("Chart.yaml")), "needs the Helm chart at " + chart);

        KindContainer<?> kind = new KindContainer<>(KindContainerVersion.VERSION_1_34_0);
        kind.start();
        KubernetesClient client = null;
        try {
            for (String image : List.of(brokerImage, operatorImage)) {
                load(kind, docker, image, work);
            }
            String kubeconfig = kind.getKubeconfig();
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
            new Helm(chart).install()
                    .withName("strand")
                    .withNamespace(OPERATOR_NAMESPACE)
                    .createNamespace()
                    .withKubeConfigContents(kubeconfig)
                    .set("image.repository", "strand/operator")
                    .set("image.tag", tag)
                    .set("image.pullPolicy", "IfNotPresent")
                    .set("brokerImage", brokerImage)
                    .waitReady()
                    .withTimeout(300)
                    .call();
            KindFleet fleet = new KindFleet(kind, client);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(fleet.namespace).endMetadata().build()).create();
            return fleet;
        } catch (Exception | AssertionError e) {
            if (client != null) {
                client.close();
            }
            kind.stop();
            throw e;
        }
    }

    /** {@code docker save} here, {@code ctr images import} in the node: what {@code kind load docker-image} does. */
    private static void load(KindContainer<?> kind, DockerClient docker, String image, Path work) throws Exception {
        Files.createDirectories(work);
        Path tar = work.resolve(image.replaceAll("[^A-Za-z0-9.-]", "_") + ".tar");
        try (InputStream saved = docker.saveImageCmd(image.substring(0, image.lastIndexOf(':')))
                .withTag(image.substring(image.lastIndexOf(':') + 1)).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        String inNode = "/tmp/" + tar.getFileName();
        kind.copyFileToContainer(MountableFile.forHostPath(tar), inNode);
        ExecResult imported = kind.execInContainer("ctr", "--namespace=k8s.io", "images", "import", "--all-platforms", inNode);
        if (imported.getExitCode() != 0) {
            throw new IllegalStateException("ctr images import " + image + " failed: " + imported.getStderr() + imported.getStdout());
        }
        kind.execInContainer("rm", "-f", inNode);
    }

    private static void require(boolean condition, String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.assertTrue(condition, "KindFleet " + message);
        } else {
            Assumptions.assumeTrue(condition, "KindFleet skipped: " + message);
        }
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public ApiServerForwards forwards() {
        return new ApiServerForwards(client, namespace, KindFleet::ready);
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public String diagnostics() {
        StringBuilder out = new StringBuilder();
        try {
            client.pods().inNamespace(OPERATOR_NAMESPACE).list().getItems().forEach(p -> out.append("==== operator pod ")
                    .append(p.getMetadata().getName()).append('\n')
                    .append(tail(client.pods().inNamespace(OPERATOR_NAMESPACE).withName(p.getMetadata().getName()).tailingLines(200).getLog())));
            client.pods().inNamespace(namespace).list().getItems().forEach(p -> out.append("==== ").append(p.getMetadata().getName())
                    .append(' ').append(p.getStatus() == null ? "" : p.getStatus().getPhase()).append('\n')
                    .append(tail(client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).tailingLines(100).getLog())));
        } catch (RuntimeException e) {
            out.append("(diagnostics failed: ").append(e).append(")");
        }
        return out.toString();
    }

    private static String tail(String log) {
        return log == null ? "\n" : log + "\n";
    }

    @Override
    public void close() {
        try {
            client.namespaces().withName(namespace).delete();
            client.close();
        } finally {
            kind.stop();
        }
    }
}
