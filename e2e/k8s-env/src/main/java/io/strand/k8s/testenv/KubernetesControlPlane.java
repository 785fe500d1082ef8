package io.strand.k8s.testenv;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives integration tests a real Kubernetes API: {@code @ExtendWith(KubernetesControlPlane.class)}
 * and take a {@link KubernetesClient} or a {@link ControlPlane} as a test, constructor or lifecycle parameter.
 *
 * <p>Where the cluster comes from, in this order:
 * <ol>
 *   <li>{@code STRAND_KUBECONFIG} (environment) or {@code strand.kubeconfig} (system property): an existing cluster,
 *       such as a kind cluster ({@code kind get kubeconfig > /tmp/kind.kubeconfig}); nothing is started or stopped.</li>
 *   <li>The local control plane of {@code e2e/k8s-env}: binaries from {@code STRAND_K8S_BIN}, or the ones
 *       {@code e2e/k8s-env/bin/build.sh} cached. It is started once per test JVM and stopped when the JVM's tests end.</li>
 * </ol>
 * When neither is available the tests are skipped with a message that says how to get one; with {@code CI=true} they
 * fail instead, because CI builds the binaries before it runs the tests.
 */
public final class KubernetesControlPlane implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KubernetesControlPlane.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubernetesClient.class || type == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ControlPlane controlPlane = shared(context);
        return parameter.getParameter().getType() == ControlPlane.class ? controlPlane : controlPlane.client();
    }

    private static ControlPlane shared(ExtensionContext context) {
        // the root store outlives every test class of this JVM and closes the control plane after the last one
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Closer.class, key -> new Closer(), Closer.class);
        return shared();
    }

    private static ControlPlane shared;
    private static final String RUNNING_PROPERTY = "strand.k8s.running.kubeconfig";

    /**
     * The control plane of this test JVM, for code that runs outside a JUnit extension (a Quarkus test resource,
     * say); the same instance the extension injects. It is closed after the last test class, or at JVM exit.
     * Skips (or, with CI=true, fails) the calling test when no control plane is available.
     */
    public static synchronized ControlPlane shared() {
        if (shared == null) {
            ControlPlane opened = open();
            Runtime.getRuntime().addShutdownHook(new Thread(KubernetesControlPlane::closeShared, "k8s-env-stop"));
            shared = opened;
        }
        return shared;
    }

    private static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private static final class Closer implements AutoCloseable {
        @Override
        public void close() {
            closeShared();
        }
    }

    private static ControlPlane open() {
        Optional<Path> external = setting("STRAND_KUBECONFIG", "strand.kubeconfig").map(Path::of);
        if (external.isPresent()) {
            return ControlPlane.external(external.get());
        }
        // Quarkus runs its tests in a class loader of its own, with its own copy of this class's statics: a control
        // plane started from either loader is announced through a system property, which the JVM shares, and reused
        String running = System.getProperty(RUNNING_PROPERTY);
        if (running != null && Files.isRegularFile(Path.of(running))) {
            return new ControlPlane(Path.of(running), true);
        }
        Path envDir = envDirectory();
        Optional<Path> binaries = setting("STRAND_K8S_BIN", "strand.k8s.bin").map(Path::of)
                .or(() -> LocalControlPlane.cachedBinaries(envDir));
        if (binaries.isEmpty() || !Files.isExecutable(binaries.get().resolve("kube-apiserver"))) {
            String message = "no Kubernetes control plane for this test: build the local one with "
                    + envDir.resolve("bin/build.sh") + " (once per machine: about 6 minutes and 5 GB on 2 cores; "
                    + "see the README's contributor section), or point STRAND_KUBECONFIG at a kind cluster's kubeconfig";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message + " (CI=true: .ci/run should have built it)");
            }
            // surefire does not print why a whole class was skipped, so say it here
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        Path stateDir = setting("STRAND_K8S_STATE", "strand.k8s.state.dir").map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "strand-k8s-env-" + ProcessHandle.current().pid()));
        try {
            LocalControlPlane started = LocalControlPlane.start(envDir, binaries.get(), stateDir);
            System.setProperty(RUNNING_PROPERTY, started.kubeconfig().toString());
            return started;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the local control plane: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the local control plane", e);
        }
    }

    /** e2e/k8s-env: from {@code strand.k8s.env.dir}, else found by walking up from the working directory. */
    static Path envDirectory() {
        Optional<Path> configured = setting("STRAND_K8S_ENV_DIR", "strand.k8s.env.dir").map(Path::of);
        if (configured.isPresent()) {
            return configured.get();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("e2e/k8s-env");
            if (Files.isRegularFile(candidate.resolve("bin/start.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find e2e/k8s-env above " + Path.of("").toAbsolutePath()
                + "; set -Dstrand.k8s.env.dir");
    }

    static Optional<String> setting(String environmentVariable, String systemProperty) {
        String value = System.getProperty(systemProperty);
        if (value == null || value.isBlank()) {
            value = System.getenv(environmentVariable);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    static KubernetesClient clientFor(Path kubeconfig) throws IOException {
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
