package io.strand.e2e.scenarios.kind;

import com.dajudge.kindcontainer.KindContainer;
import com.dajudge.kindcontainer.KindContainerVersion;
import com.github.dockerjava.api.DockerClient;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.PortForward;
import io.strand.e2e.scenarios.Fleet;
import io.strand.e2e.scenarios.TcpForwarder;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
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
    private static final Duration FORWARD_IDLE = Duration.ofMinutes(10);

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
    public int freeLocalPort() {
        return TcpForwarder.freePort();
    }

    /**
     * {@code kubectl port-forward svc/...}, but choosing the pod per connection (sticking to one while it is ready):
     * kubectl binds to one pod for its whole life and exits when that pod goes, which a roll always does.
     */
    @Override
    public Forward forwardService(String service, int servicePort, int localPort) {
        String[] current = {null};
        TcpForwarder forwarder = new TcpForwarder(localPort, socket -> {
            Service svc = client.services().inNamespace(namespace).withName(service).get();
            ServicePort port = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == servicePort).findFirst().orElseThrow();
            Pod pod = client.pods().inNamespace(namespace).withLabels(svc.getSpec().getSelector()).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null && ready(p))
                    .min(Comparator.comparing((Pod p) -> !p.getMetadata().getName().equals(current[0])).thenComparing(p -> p.getMetadata().getName()))
                    .orElseThrow(() -> new IllegalStateException("no ready pod behind Service " + service));
            int target = port.getTargetPort() == null ? port.getPort()
                    : port.getTargetPort().getIntVal() != null ? port.getTargetPort().getIntVal()
                    : pod.getSpec().getContainers().get(0).getPorts().stream().filter(p -> port.getTargetPort().getStrVal().equals(p.getName()))
                            .findFirst().orElseThrow().getContainerPort();
            current[0] = pod.getMetadata().getName();
            try (PortForward forward = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                    .portForward(target, Channels.newChannel(socket.getInputStream()), Channels.newChannel(socket.getOutputStream()))) {
                long deadline = System.nanoTime() + FORWARD_IDLE.toNanos();
                while (forward.isAlive() && !socket.isClosed() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
        });
        return new Forward() {
            @Override
            public int localPort() {
                return forwarder.localPort();
            }

            @Override
            public String currentPod() {
                return current[0];
            }

            @Override
            public void close() {
                forwarder.close();
            }
        };
    }

    @Override
    public Forward forwardPod(String pod, int containerPort) {
        LocalPortForward forward = client.pods().inNamespace(namespace).withName(pod)
                .portForward(containerPort, InetAddress.getLoopbackAddress(), TcpForwarder.freePort());
        return new Forward() {
            @Override
            public int localPort() {
                return forward.getLocalPort();
            }

            @Override
            public String currentPod() {
                return pod;
            }

            @Override
            public void close() {
                try {
                    forward.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            }
        };
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
