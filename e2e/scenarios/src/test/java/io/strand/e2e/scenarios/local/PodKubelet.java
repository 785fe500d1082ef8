package io.strand.e2e.scenarios.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.strand.e2e.scenarios.TcpForwarder;
import io.strand.operator.model.ClusterResources;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * The kubelet of the KWOK nodes, as far as broker pods go: for every scheduled broker pod whose data claim is bound it
 * runs a real broker process, started the way the container would be: {@code --config} the operator's rendered
 * {@code server.properties} from the pod's ConfigMap volume, and the pod's environment (downward API resolved, so
 * {@code STRAND_NODE_ID} comes from the pod-index label). Only what a single machine cannot share is rewritten, with
 * {@code --override}: every listen and advertised address becomes a port of its own on 127.0.0.1 (the pod's container
 * ports, mapped), the voters' pod DNS names become those ports; each data claim is a directory per claim uid. The
 * broker runs from the jar, or from the broker image in Docker ({@link BrokerRuntime}).
 * {@code relay.advertised.listener} is kept as rendered. Before rewriting, the rendered addresses are checked against
 * the pod and the Services they must match; a mismatch is a finding, reported through {@link #check()}.
 *
 * <p>A pod that is gone, or replaced by one with another uid, gets its broker SIGTERMed, as a kubelet would.
 */
final class PodKubelet implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);

    /** One broker ordinal of one cluster: its ports are fixed, like a pod's DNS name. */
    private final class Slot {
        final String cluster;
        final int id;
        final Map<Integer, Integer> ports = new ConcurrentHashMap<>();
        volatile Process process;
        volatile String podUid;
        volatile String podName;
        volatile Path log;
        volatile List<String> command = List.of();
        volatile String name;

        Slot(String cluster, int id) {
            this.cluster = cluster;
            this.id = id;
        }

        int port(int containerPort) {
            return ports.computeIfAbsent(containerPort, p -> TcpForwarder.freePort());
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        /** Whether the broker listens on its client port (what the pod's readiness probe checks). */
        boolean ready(int kafkaContainerPort) {
            if (!alive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port(kafkaContainerPort)), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Path dir;
    private final BrokerRuntime runtime;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> findings = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    PodKubelet(KubernetesClient client, String namespace, Path dir, Path jar) {
        this.client = client;
        this.namespace = namespace;
        this.dir = dir;
        this.runtime = BrokerRuntime.fromSystemProperties(jar);
        System.out.println("kubelet shim for " + namespace + ": brokers run from the " + runtime.describe());
        this.thread = new Thread(this::loop, "kubelet-" + namespace);
        thread.setDaemon(true);
        thread.start();
    }

    void check() {
        if (failure != null) {
            throw new AssertionError("the kubelet shim failed", failure);
        }
        if (!findings.isEmpty()) {
            throw new AssertionError("the operator's rendered broker configuration does not fit its pods: " + findings);
        }
    }

    List<String> events() {
        return List.copyOf(events);
    }

    /** The client addresses of every broker of the cluster started so far (clients skip the stopped ones). */
    String bootstrap(String cluster, int kafkaContainerPort) {
        return slots.values().stream().filter(s -> s.cluster.equals(cluster) && s.process != null)
                .map(s -> "127.0.0.1:" + s.port(kafkaContainerPort)).sorted().collect(Collectors.joining(","));
    }

    /** Whether the pod's broker runs and listens on its client port. */
    boolean listening(Pod pod) {
        Slot slot = slots.get(key(pod));
        return slot != null && pod.getMetadata().getUid().equals(slot.podUid) && slot.ready(kafkaPort(pod));
    }

    private void loop() {
        while (running) {
            try {
                step();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                if (running) {
                    failure = e;
                }
                return;
            }
        }
    }

    private void step() throws IOException {
        Map<String, Pod> pods = new LinkedHashMap<>();
        for (Pod pod : client.pods().inNamespace(namespace)
                .withLabel(ClusterResources.NAME_LABEL, ClusterResources.APP_NAME)
                .withLabel(ClusterResources.COMPONENT_LABEL, ClusterResources.BROKER_COMPONENT).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                pods.put(key(pod), pod);
            }
        }
        // pods gone or replaced: SIGTERM, and wait (terminationGracePeriodSeconds) before anything reuses the ports
        for (Slot slot : slots.values()) {
            Pod pod = pods.get(slot.cluster + "/" + slot.id);
            if (slot.podUid != null && (pod == null || !slot.podUid.equals(pod.getMetadata().getUid()))) {
                events.add("stop " + slot.cluster + "/" + slot.id);
                stop(slot);
                slot.podUid = null;
            }
        }
        for (Pod pod : pods.values()) {
            Slot slot = slots.computeIfAbsent(key(pod), k -> new Slot(cluster(pod), ordinal(pod)));
            if (slot.podUid != null || pod.getSpec().getNodeName() == null) {
                continue;
            }
            String claimUid = boundClaim(pod);
            ConfigMap config = client.configMaps().inNamespace(namespace).withName(configMapOf(pod)).get();
            if (claimUid == null || config == null) {
                continue;
            }
            start(slot, pod, config, claimUid);
        }
    }

    private void start(Slot slot, Pod pod, ConfigMap configMap, String claimUid) throws IOException {
        Container container = pod.getSpec().getContainers().stream()
                .filter(c -> ClusterResources.BROKER_CONTAINER.equals(c.getName())).findFirst().orElseThrow();
        String rendered = configMap.getData().get(ClusterResources.CONFIG_FILE);
        Properties config = new Properties();
        config.load(new StringReader(rendered));
        Map<String, String> env = env(pod, container);

        int kafka = containerPort(container, ClusterResources.KAFKA_PORT_NAME);
        int controller = containerPort(container, ClusterResources.CONTROLLER_PORT_NAME);
        Integer metrics = optionalPort(container, ClusterResources.METRICS_PORT_NAME);
        Integer tunnel = optionalPort(container, ClusterResources.TUNNEL_PORT_NAME);
        int nodeId = Integer.parseInt(env.getOrDefault("STRAND_NODE_ID", config.getProperty("node.id", "-1")));
        if (nodeId != slot.id) {
            finding(pod, "node.id " + nodeId + " (STRAND_NODE_ID) is not the pod's ordinal " + slot.id);
        }

        // the rendered addresses must be where the pod is reachable, or the real broker could not start or be found
        expectPort(pod, "listeners", config.getProperty("listeners"), kafka);
        expectPort(pod, "STRAND_ADVERTISED_LISTENERS", env.get("STRAND_ADVERTISED_LISTENERS"), kafka);
        expectHost(pod, "STRAND_ADVERTISED_LISTENERS", env.get("STRAND_ADVERTISED_LISTENERS"), slot.cluster, slot.id);
        if (metrics != null && !String.valueOf(metrics).equals(config.getProperty("metrics.port"))) {
            finding(pod, "metrics.port " + config.getProperty("metrics.port") + " is not the container port " + metrics);
        }
        if (tunnel != null) {
            expectPort(pod, "relay.listener", config.getProperty("relay.listener"), tunnel);
        } else if (config.getProperty("relay.listener") != null) {
            finding(pod, "relay.listener is set but the container has no tunnel port");
        }
        String voters = config.getProperty("controller.quorum.voters", "");
        List<String> rewritten = new ArrayList<>();
        boolean voter = false;
        for (String entry : voters.split(",")) {
            Matcher m = java.util.regex.Pattern.compile("(\\d+)@(.+):(\\d+)").matcher(entry.trim());
            if (!m.matches()) {
                finding(pod, "controller.quorum.voters entry '" + entry + "' is not id@host:port");
                continue;
            }
            int id = Integer.parseInt(m.group(1));
            voter |= id == slot.id;
            expectHost(pod, "voter " + id, "PLAINTEXT://" + m.group(2) + ":" + m.group(3), slot.cluster, id);
            if (Integer.parseInt(m.group(3)) != controller) {
                finding(pod, "voter " + entry + " does not use the controller container port " + controller);
            }
            Slot target = slots.computeIfAbsent(slot.cluster + "/" + id, k -> new Slot(slot.cluster, id));
            rewritten.add(id + "@127.0.0.1:" + target.port(controller));
        }

        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + slot.port(kafka));
        overrides.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + slot.port(kafka));
        overrides.put("controller.listener.host", "127.0.0.1");
        overrides.put("controller.quorum.voters", String.join(",", rewritten));
        if (!voter) {
            overrides.put("controller.listener.port", String.valueOf(slot.port(controller)));
        }
        overrides.put("metrics.port", metrics == null ? "0" : String.valueOf(slot.port(metrics)));
        if (tunnel != null) {
            overrides.put("relay.listener", "PLAINTEXT://127.0.0.1:" + slot.port(tunnel));
        }
        Path claim = dir.resolve("volumes").resolve(claimUid);
        Files.createDirectories(claim);

        // the ConfigMap volume, as mounted
        Path configDir = dir.resolve("pods").resolve(pod.getMetadata().getUid());
        Files.createDirectories(configDir);
        Path file = configDir.resolve(ClusterResources.CONFIG_FILE);
        Files.writeString(file, rendered);

        String name = "strand-e2e-" + slot.cluster + "-" + slot.id + "-" + pod.getMetadata().getUid().substring(0, 8);
        ProcessBuilder builder = runtime.start(new BrokerRuntime.Launch(pod, container, configDir, claim, env, overrides, name))
                .redirectErrorStream(true);
        List<String> command = builder.command();
        slot.log = dir.resolve("logs").resolve(pod.getMetadata().getName() + "-" + pod.getMetadata().getUid() + ".log");
        Files.createDirectories(slot.log.getParent());
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(slot.log.toFile()));
        slot.command = command;
        slot.name = name;
        slot.process = builder.start();
        slot.podUid = pod.getMetadata().getUid();
        slot.podName = pod.getMetadata().getName();
        publishPorts(pod, slot, container);
        events.add("start " + slot.cluster + "/" + slot.id + " on claim " + claimUid);
    }

    /**
     * KWOK's PortForward resource for the pod (same name): kubectl port-forward to any of its container ports reaches
     * the broker's port on 127.0.0.1, through the API server like a real one.
     */
    private void publishPorts(Pod pod, Slot slot, Container container) {
        List<Map<String, Object>> forwards = new ArrayList<>();
        for (ContainerPort port : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
            forwards.add(Map.of("ports", List.of(port.getContainerPort()),
                    "target", Map.of("address", "127.0.0.1", "port", slot.port(port.getContainerPort()))));
        }
        client.genericKubernetesResources(PORT_FORWARD_API, "PortForward").inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(PORT_FORWARD_API).withKind("PortForward")
                        .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(namespace).endMetadata()
                        .addToAdditionalProperties("spec", Map.of("forwards", forwards))
                        .build())
                .forceConflicts().serverSideApply();
    }

    private static final String PORT_FORWARD_API = "kwok.x-k8s.io/v1alpha1";

    private void stop(Slot slot) {
        Process process = slot.process;
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                runtime.cleanUp(slot.name);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            runtime.cleanUp(slot.name);
            Thread.currentThread().interrupt();
        }
    }

    /** The container's environment with the downward API and $(VAR) references resolved, as the kubelet does. */
    private static Map<String, String> env(Pod pod, Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            String value;
            if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
                value = field(pod, var.getValueFrom().getFieldRef().getFieldPath());
            } else if (var.getValue() != null) {
                value = var.getValue();
                Matcher m = java.util.regex.Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value);
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group(0))));
                }
                m.appendTail(out);
                value = out.toString();
            } else {
                continue;
            }
            if (value != null) {
                env.put(var.getName(), value);
            }
        }
        return env;
    }

    private static String field(Pod pod, String path) {
        if (path.equals("metadata.name")) {
            return pod.getMetadata().getName();
        }
        if (path.equals("metadata.namespace")) {
            return pod.getMetadata().getNamespace();
        }
        if (path.equals("spec.nodeName")) {
            return pod.getSpec().getNodeName();
        }
        Matcher label = java.util.regex.Pattern.compile("metadata\\.labels\\['(.+)'\\]").matcher(path);
        if (label.matches()) {
            return pod.getMetadata().getLabels().get(label.group(1));
        }
        throw new IllegalArgumentException("the kubelet shim cannot resolve fieldRef " + path);
    }

    private void expectPort(Pod pod, String what, String listener, int port) {
        if (listener == null || !listener.endsWith(":" + port)) {
            finding(pod, what + " '" + listener + "' does not listen on the container port " + port);
        }
    }

    /** The host of an address must be the pod's DNS name through a headless Service that selects the pods. */
    private void expectHost(Pod pod, String what, String listener, String cluster, int ordinal) {
        String expected = ClusterResources.podHost(cluster, namespace, ordinal);
        String host = listener == null ? null : listener.replaceFirst("^[A-Z]+://", "").replaceFirst(":\\d+$", "");
        if (!expected.equals(host)) {
            finding(pod, what + " host '" + host + "' is not the pod's DNS name " + expected);
            return;
        }
        Service headless = client.services().inNamespace(namespace).withName(ClusterResources.headlessServiceName(cluster)).get();
        if (headless == null || !"None".equals(headless.getSpec().getClusterIP())
                || !pod.getMetadata().getLabels().entrySet().containsAll(headless.getSpec().getSelector().entrySet())
                || !ClusterResources.headlessServiceName(cluster).equals(pod.getSpec().getSubdomain() == null
                        ? ClusterResources.headlessServiceName(cluster) : pod.getSpec().getSubdomain())) {
            finding(pod, what + ": no headless Service " + ClusterResources.headlessServiceName(cluster) + " selecting the pod gives it " + expected);
        }
    }

    private void finding(Pod pod, String message) {
        String finding = pod.getMetadata().getName() + ": " + message;
        if (!findings.contains(finding)) {
            findings.add(finding);
        }
    }

    private String boundClaim(Pod pod) {
        String name = ClusterResources.DATA_VOLUME + "-" + pod.getMetadata().getName();
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null || claim.getStatus() == null
                || !"Bound".equals(claim.getStatus().getPhase())) {
            return null;
        }
        return claim.getMetadata().getUid();
    }

    private static String configMapOf(Pod pod) {
        return pod.getSpec().getVolumes().stream().filter(v -> ClusterResources.CONFIG_VOLUME.equals(v.getName()) && v.getConfigMap() != null)
                .map(v -> v.getConfigMap().getName()).findFirst()
                .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " has no config volume"));
    }

    static int kafkaPort(Pod pod) {
        return containerPort(pod.getSpec().getContainers().get(0), ClusterResources.KAFKA_PORT_NAME);
    }

    static int containerPort(Container container, String name) {
        Integer port = optionalPort(container, name);
        if (port == null) {
            throw new IllegalStateException("container " + container.getName() + " has no port named " + name);
        }
        return port;
    }

    static Integer optionalPort(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst().orElse(null);
    }

    private static String cluster(Pod pod) {
        return pod.getMetadata().getLabels().get(ClusterResources.INSTANCE_LABEL);
    }

    private static int ordinal(Pod pod) {
        return Integer.parseInt(pod.getMetadata().getLabels().get(ClusterResources.POD_INDEX_LABEL));
    }

    private static String key(Pod pod) {
        return cluster(pod) + "/" + ordinal(pod);
    }

    String logs() {
        StringBuilder all = new StringBuilder("kubelet events: ").append(events).append('\n');
        for (Slot slot : slots.values()) {
            if (slot.log == null) {
                continue;
            }
            all.append("==== ").append(slot.cluster).append('/').append(slot.id).append(" (").append(slot.alive() ? "running" : "stopped")
                    .append(") ").append(String.join(" ", slot.command)).append('\n');
            try {
                String log = Files.readString(slot.log);
                all.append(log, Math.max(0, log.length() - 4000), log.length()).append('\n');
            } catch (IOException e) {
                all.append("(cannot read ").append(slot.log).append(")\n");
            }
        }
        return all.toString();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(Duration.ofSeconds(30).toMillis());
        // kill -9: a clean stop of the last voters would wait for a quorum that is gone
        for (Slot slot : slots.values()) {
            if (slot.process != null) {
                slot.process.destroyForcibly();
            }
        }
        for (Slot slot : slots.values()) {
            if (slot.process != null) {
                slot.process.waitFor(10, TimeUnit.SECONDS);
            }
            if (slot.name != null) {
                runtime.cleanUp(slot.name);
            }
        }
    }
}
