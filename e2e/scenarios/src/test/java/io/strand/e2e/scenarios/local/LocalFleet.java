package io.strand.e2e.scenarios.local;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.strand.broker.it.BrokerProcess;
import io.strand.e2e.scenarios.Fleet;
import io.strand.e2e.scenarios.TcpForwarder;
import io.strand.operator.cluster.KafkaClusterReconciler;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Listeners;
import io.strand.operator.topic.TopicReconciler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The local control plane (real API server, controllers and scheduler; KWOK nodes) with the operator's reconcilers
 * running in the test JVM, a {@link PodKubelet} that runs one real broker process per broker pod from the operator's
 * rendered configuration, and port-forwards simulated on 127.0.0.1 the way kubectl does them.
 */
public final class LocalFleet implements Fleet {

    private final KubernetesClient client;
    private final String namespace = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path dir;
    private final Operator operator;
    private final PodKubelet kubelet;

    public LocalFleet(KubernetesClient client, Path dir) throws IOException {
        this.client = client;
        this.dir = dir;
        installCrds(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        // a private copy of the broker jar: a concurrent build replacing target/strand-broker.jar under running brokers
        // makes them fail to load classes
        Path jar = dir.resolve("strand-broker.jar");
        Files.copy(BrokerProcess.jar(), jar);
        kubelet = new PodKubelet(client, namespace, dir, jar);
        // the operator reaches the brokers of a cluster at their addresses on this machine, as BootstrapAdminFactory
        // reaches them at the bootstrap Service in a real cluster
        KafkaAdminFactory admins = cluster -> {
            String bootstrap = kubelet.bootstrap(ClusterResources.name(cluster), Listeners.internalPort(cluster));
            if (bootstrap.isEmpty()) {
                throw new IllegalStateException("no broker of " + ClusterResources.name(cluster) + " started yet");
            }
            return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
        };
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new KafkaClusterReconciler(admins), o -> o.settingNamespace(namespace));
        operator.register(new TopicReconciler(admins), o -> o.settingNamespace(namespace));
        operator.start();
    }

    /** crds/, as generated (never hand copies), applied and waited for until served. */
    static void installCrds(KubernetesClient client) throws IOException {
        Path crds = Path.of(System.getProperty("strand.crds.dir", "../../crds"));
        try (Stream<Path> files = Files.list(crds)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(file.toFile()).item();
                client.resource(crd).forceConflicts().serverSideApply();
                client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                        .waitUntilCondition(LocalFleet::established, 60, TimeUnit.SECONDS);
            }
        }
    }

    // the API server fills in status before its conditions: a CRD seen in between has a status with no conditions
    static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
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
     * Like {@code kubectl port-forward svc/...}: the Service's port resolved to its target port on a ready pod it
     * selects (ready: KWOK's Ready condition and the broker listening, which is what the readiness probe checks).
     * The pod is kept while it stays ready; a new connection after it went goes to another one.
     */
    @Override
    public Forward forwardService(String service, int servicePort, int localPort) {
        String[] current = {null};
        TcpForwarder forwarder = new TcpForwarder(localPort, socket -> {
            Service svc = client.services().inNamespace(namespace).withName(service).get();
            if (svc == null) {
                throw new IllegalStateException("no Service " + service);
            }
            ServicePort port = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == servicePort).findFirst()
                    .orElseThrow(() -> new IllegalStateException("Service " + service + " has no port " + servicePort));
            List<Pod> candidates = client.pods().inNamespace(namespace).withLabels(svc.getSpec().getSelector()).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null && podReady(p))
                    .sorted(Comparator.comparing((Pod p) -> !p.getMetadata().getName().equals(current[0]))
                            .thenComparing(p -> p.getMetadata().getName()))
                    .toList();
            for (Pod pod : candidates) {
                Integer hostPort = kubelet.hostPort(pod, containerPort(pod, port));
                if (hostPort != null) {
                    current[0] = pod.getMetadata().getName();
                    connectAndPipe(socket, hostPort);
                    return;
                }
            }
            throw new IllegalStateException("no ready pod behind Service " + service);
        });
        return forward(forwarder, () -> current[0]);
    }

    @Override
    public Forward forwardPod(String podName, int containerPort) {
        TcpForwarder forwarder = new TcpForwarder(0, socket -> {
            Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
            Integer hostPort = pod == null ? null : kubelet.hostPort(pod, containerPort);
            if (hostPort == null) {
                throw new IllegalStateException("pod " + podName + " is not running");
            }
            connectAndPipe(socket, hostPort);
        });
        return forward(forwarder, () -> podName);
    }

    private static Forward forward(TcpForwarder forwarder, java.util.function.Supplier<String> pod) {
        return new Forward() {
            @Override
            public int localPort() {
                return forwarder.localPort();
            }

            @Override
            public String currentPod() {
                return pod.get();
            }

            @Override
            public void close() {
                forwarder.close();
            }
        };
    }

    private static void connectAndPipe(Socket client, int hostPort) throws IOException, InterruptedException {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress("127.0.0.1", hostPort), 5_000);
        TcpForwarder.pipe(client, upstream);
    }

    private static int containerPort(Pod pod, ServicePort port) {
        if (port.getTargetPort() == null) {
            return port.getPort();
        }
        if (port.getTargetPort().getIntVal() != null) {
            return port.getTargetPort().getIntVal();
        }
        return PodKubelet.containerPort(pod.getSpec().getContainers().get(0), port.getTargetPort().getStrVal());
    }

    private static boolean podReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public void awaitBrokers(String cluster, int brokers) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        String seen = "nothing yet";
        while (System.nanoTime() < deadline) {
            check();
            String bootstrap = kubelet.bootstrap(cluster, ClusterResources.KAFKA_PORT);
            if (!bootstrap.isEmpty()) {
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
                    var ids = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(n -> n.id()).sorted().toList();
                    seen = ids.toString();
                    if (ids.size() >= brokers) {
                        return;
                    }
                } catch (Exception e) {
                    seen = e.toString();
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        throw new AssertionError("brokers of " + cluster + " not all registered within 90 s; last seen " + seen + "\n" + diagnostics());
    }

    @Override
    public void check() {
        kubelet.check();
    }

    @Override
    public String diagnostics() {
        return kubelet.logs();
    }

    /** The kubelet's record of starts and stops, in order. */
    public List<String> kubeletEvents() {
        return kubelet.events();
    }

    @Override
    public void close() throws Exception {
        try {
            operator.stop();
        } finally {
            kubelet.close();
            client.namespaces().withName(namespace).delete();
        }
    }

}
