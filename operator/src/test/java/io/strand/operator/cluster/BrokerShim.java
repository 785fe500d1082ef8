package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.strand.broker.it.ClusterProcess;
import io.strand.operator.model.ClusterResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The kubelet of the KWOK pods, as far as brokers go: keeps one real broker process per broker pod, in step with the
 * pods. A pod that goes away (or is replaced by a pod with another uid) gets its broker SIGTERMed, which is what a
 * kubelet does to a terminating pod; a pod without a running broker gets one, the broker of a new ordinal joining as a
 * non-voter. Each stop is logged with whether every partition was fully in sync just before it, which is what a roll
 * must have waited for. A broker starts only once its pod is scheduled with its data claim bound, and starts with an
 * empty data directory when that claim is another one than last time (the volume was lost and replaced).
 */
final class BrokerShim implements AutoCloseable {

    /** What the shim did, in order. {@code inSync} is only meaningful for stops. */
    record Event(String kind, int broker, boolean inSync) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String cluster;
    private final ClusterProcess brokers;
    private final Map<Integer, String> podUids = new HashMap<>();
    private final Map<Integer, String> claimUids = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    BrokerShim(KubernetesClient client, String namespace, String cluster, ClusterProcess brokers) {
        this.client = client;
        this.namespace = namespace;
        this.cluster = cluster;
        this.brokers = brokers;
        this.thread = new Thread(this::loop, "broker-shim-" + cluster);
        thread.setDaemon(true);
        thread.start();
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    private synchronized void record(Event event) {
        events.add(event);
    }

    /** Fails the test that asks when the shim itself broke: otherwise it would only show as a timeout elsewhere. */
    void check() {
        if (failure != null) {
            throw new AssertionError("the broker shim failed", failure);
        }
    }

    private void loop() {
        while (running) {
            try {
                step();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                failure = e;
                return;
            }
        }
    }

    private void step() {
        Map<Integer, Pod> pods = client.pods().inNamespace(namespace).withLabels(ClusterResources.selectorLabels(cluster)).list()
                .getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(p -> Integer.parseInt(p.getMetadata().getLabels().get(ClusterResources.POD_INDEX_LABEL)),
                        Function.identity()));
        for (int id : brokers.brokersAlive()) {
            Pod pod = pods.get(id);
            String uid = pod == null ? null : pod.getMetadata().getUid();
            if (!podUids.containsKey(id) && uid != null) {
                podUids.put(id, uid);
            } else if (podUids.containsKey(id) && !podUids.get(id).equals(uid)) {
                boolean inSync = allInSync();
                record(new Event("stop", id, inSync));
                brokers.stop(id);
                podUids.remove(id);
            }
        }
        for (Map.Entry<Integer, Pod> pod : pods.entrySet()) {
            int id = pod.getKey();
            if (brokers.brokersAlive().contains(id)) {
                continue;
            }
            Optional<String> claim = boundClaim(pod.getValue(), id);
            if (claim.isEmpty()) {
                continue;
            }
            if (brokers.has(id) && claimUids.containsKey(id) && !claimUids.get(id).equals(claim.get())) {
                record(new Event("wipe", id, false));
                brokers.wipe(id);
            }
            record(new Event("start", id, false));
            if (brokers.has(id)) {
                brokers.restart(id);
            } else {
                brokers.addBroker(id);
            }
            podUids.put(id, pod.getValue().getMetadata().getUid());
            claimUids.put(id, claim.get());
        }
    }

    /** The uid of the pod's data claim once the pod is scheduled and the claim bound; empty before. */
    private Optional<String> boundClaim(Pod pod, int id) {
        if (pod.getSpec().getNodeName() == null) {
            return Optional.empty();
        }
        String name = ClusterResources.DATA_VOLUME + "-" + ClusterResources.podName(cluster, id);
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null || claim.getStatus() == null
                || !"Bound".equals(claim.getStatus().getPhase())) {
            return Optional.empty();
        }
        return Optional.of(claim.getMetadata().getUid());
    }

    /**
     * Whether every partition's ISR holds all its replicas, as the running brokers see it. A failed look is retried;
     * when none succeeds the stop counts as not in sync (and the reason is printed), never as in sync.
     */
    private boolean allInSync() {
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            // default.api.timeout.ms may not be below request.timeout.ms, or Admin.create throws a ConfigException
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.liveBootstrap(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
                Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
                for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                    Optional<TopicPartitionInfo> behind = topic.partitions().stream().filter(p -> !p.isr().containsAll(p.replicas())).findFirst();
                    if (behind.isPresent()) {
                        System.err.println("broker shim: " + topic.name() + "-" + behind.get().partition() + " not in sync: " + behind.get());
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                last = e;
            }
        }
        System.err.println("broker shim: could not tell whether every partition is in sync: " + last);
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(Duration.ofSeconds(60).toMillis());
    }
}
