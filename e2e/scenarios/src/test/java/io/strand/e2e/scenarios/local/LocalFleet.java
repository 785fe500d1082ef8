package io.strand.e2e.scenarios.local;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.strand.broker.it.BrokerProcess;
import io.strand.e2e.scenarios.Fleet;
import io.strand.e2e.scenarios.ApiServerForwards;
import io.strand.operator.cluster.KafkaClusterReconciler;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Listeners;
import io.strand.operator.topic.TopicReconciler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Through the API server, as kubectl does: KWOK serves the pods' port-forwards, and {@link PodKubelet} publishes a
     * PortForward resource per pod naming its broker's ports on 127.0.0.1. Usable pods: Ready (KWOK's say) with their
     * broker listening, which is what the readiness probe would check.
     */
    @Override
    public ApiServerForwards forwards() {
        return new ApiServerForwards(client, namespace, p -> podReady(p) && kubelet.listening(p));
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
