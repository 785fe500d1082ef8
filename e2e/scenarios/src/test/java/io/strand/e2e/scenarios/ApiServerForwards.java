package io.strand.e2e.scenarios;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.PortForward;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Port-forwards as kubectl makes them: through the API server's pods/portforward to the pod's node (kind's kubelet,
 * or KWOK standing in for it on the local control plane, where a PortForward resource names the process behind each
 * pod port). A Service forward resolves the Service port to its target port on one usable pod the Service selects;
 * unlike kubectl, which binds to one pod for its whole life and exits when that pod goes (as every roll makes it),
 * it chooses per connection, staying on the same pod while it is usable: what a user gets by re-running kubectl
 * port-forward in a loop.
 */
public final class ApiServerForwards {

    /** A forwarded connection outlives no test; bounded so a forgotten one cannot hang. */
    private static final Duration IDLE_LIMIT = Duration.ofMinutes(10);

    private final KubernetesClient client;
    private final String namespace;
    private final Predicate<Pod> usable;

    /** @param usable which of a Service's pods may take a connection (ready, and for KWOK pods: its broker running) */
    public ApiServerForwards(KubernetesClient client, String namespace, Predicate<Pod> usable) {
        this.client = client;
        this.namespace = namespace;
        this.usable = usable;
    }

    public Fleet.Forward service(String service, int servicePort, int localPort) {
        String[] current = {null};
        TcpForwarder forwarder = new TcpForwarder(localPort, socket -> {
            Service svc = Objects.requireNonNull(client.services().inNamespace(namespace).withName(service).get(), "no Service " + service);
            ServicePort port = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == servicePort).findFirst()
                    .orElseThrow(() -> new IllegalStateException("Service " + service + " has no port " + servicePort));
            Pod pod = client.pods().inNamespace(namespace).withLabels(svc.getSpec().getSelector()).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null && usable.test(p))
                    .min(Comparator.comparing((Pod p) -> !p.getMetadata().getName().equals(current[0]))
                            .thenComparing(p -> p.getMetadata().getName()))
                    .orElseThrow(() -> new IllegalStateException("no ready pod behind Service " + service));
            current[0] = pod.getMetadata().getName();
            try (PortForward forward = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                    .portForward(targetPort(pod, port), Channels.newChannel(socket.getInputStream()),
                            Channels.newChannel(socket.getOutputStream()))) {
                long deadline = System.nanoTime() + IDLE_LIMIT.toNanos();
                while (forward.isAlive() && !socket.isClosed() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
        });
        return new Fleet.Forward() {
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

    public Fleet.Forward pod(String pod, int containerPort) {
        LocalPortForward forward = client.pods().inNamespace(namespace).withName(pod)
                .portForward(containerPort, InetAddress.getLoopbackAddress(), TcpForwarder.freePort());
        return new Fleet.Forward() {
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

    /** The Service port's target on this pod, a number or a container port's name, as kubectl resolves it. */
    static int targetPort(Pod pod, ServicePort port) {
        if (port.getTargetPort() == null) {
            return port.getPort();
        }
        if (port.getTargetPort().getIntVal() != null) {
            return port.getTargetPort().getIntVal();
        }
        String name = port.getTargetPort().getStrVal();
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " has no port named " + name))
                .getContainerPort();
    }
}
