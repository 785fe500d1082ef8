package io.strand.k8s.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A Kubernetes API the tests can use: its kubeconfig, a client, and whether it is the local KWOK-backed control
 * plane (pods there run no containers) or an external cluster such as kind. Closing it closes the client and stops
 * what was started for it.
 */
public class ControlPlane implements AutoCloseable {

    private final Path kubeconfig;
    private final KubernetesClient client;
    private final boolean local;

    ControlPlane(Path kubeconfig, boolean local) {
        this.kubeconfig = kubeconfig;
        this.local = local;
        try {
            this.client = KubernetesControlPlane.clientFor(kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
        }
    }

    static ControlPlane external(Path kubeconfig) {
        return new ControlPlane(kubeconfig, false);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public KubernetesClient client() {
        return client;
    }

    /** True for the e2e/k8s-env control plane (KWOK nodes; no container runs), false for a real cluster. */
    public boolean isLocal() {
        return local;
    }

    @Override
    public void close() {
        client.close();
    }
}
