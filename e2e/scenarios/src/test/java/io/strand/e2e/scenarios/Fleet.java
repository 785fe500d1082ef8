package io.strand.e2e.scenarios;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where the scenarios run: a Kubernetes API with the Strand operator installed and something that runs the broker pods.
 * {@code LocalFleet}: the local control plane, the reconcilers in the test JVM and one broker process per KWOK pod.
 * {@code KindFleet}: kind, the images and the Helm chart. The scenarios talk to the brokers only as a user does,
 * through forwarded ports on 127.0.0.1.
 */
public interface Fleet extends AutoCloseable {

    KubernetesClient client();

    /** A namespace of this fleet's own, which the operator watches. */
    String namespace();

    /** A port on 127.0.0.1 free right now: the tunnel's advertisedPort, which the forward will listen on. */
    default int freeLocalPort() {
        return TcpForwarder.freePort();
    }

    /** Port-forwards through this fleet's API server, to the pods it considers usable. */
    ApiServerForwards forwards();

    /**
     * {@code kubectl port-forward svc/<service> <localPort>:<servicePort>} on 127.0.0.1. Each new connection lands on
     * one ready pod the Service selects (the one the previous connection used while it stays ready).
     */
    default Forward forwardService(String service, int servicePort, int localPort) {
        return forwards().service(service, servicePort, localPort);
    }

    /** {@code kubectl port-forward pod/<pod> :<containerPort>} on 127.0.0.1. */
    default Forward forwardPod(String pod, int containerPort) {
        return forwards().pod(pod, containerPort);
    }

    /**
     * Waits (bounded) until the cluster's {@code brokers} brokers run and are registered. A no-op where pods are
     * real: their readiness probe, which the operator's Ready follows, is the broker's client port, which a broker opens
     * only once registered. KWOK marks pods Ready at once, so LocalFleet waits for what the probe would have waited for.
     */
    default void awaitBrokers(String cluster, int brokers) {
    }

    /** Throws when the fleet's own machinery failed (so that it does not show as a timeout elsewhere). */
    default void check() {
    }

    /** What to print when a scenario fails: broker logs, events, ... */
    String diagnostics();

    @Override
    void close() throws Exception;

    interface Forward extends AutoCloseable {
        int localPort();

        /** The pod that the latest connection went to, or null before any. */
        String currentPod();

        @Override
        void close();
    }
}
