package io.strand.operator.model;

import io.strand.operator.api.KafkaCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every name, label, port and path the operator gives a KafkaCluster's objects, in one place: the model, the
 * reconciler, the status and the tests all take them from here, so a rename cannot leave a selector behind.
 */
public final class ClusterResources {

    public static final int KAFKA_PORT = 9092;
    /** The Raft port of the metadata quorum; also what {@code controller.quorum.voters} names. */
    public static final int CONTROLLER_PORT = 9093;
    public static final int METRICS_PORT = 9404;

    public static final String KAFKA_PORT_NAME = "kafka";
    public static final String CONTROLLER_PORT_NAME = "controller";
    public static final String METRICS_PORT_NAME = "metrics";
    public static final String TUNNEL_PORT_NAME = "tunnel";
    /** The broker's readiness endpoint on its metrics port: 200 once registered and unfenced. */
    public static final String READY_PATH = "/ready";

    public static final String BROKER_CONTAINER = "broker";
    /** The broker image's user (broker-image/Dockerfile); also the pods' fsGroup, so their volumes are writable. */
    public static final long BROKER_UID = 1001L;
    public static final String DATA_VOLUME = "data";
    public static final String CONFIG_VOLUME = "config";
    public static final String DATA_MOUNT_PATH = "/var/lib/strand";
    public static final String LOG_DIRS = DATA_MOUNT_PATH + "/data";
    public static final String CONFIG_MOUNT_PATH = "/etc/strand";
    public static final String CONFIG_FILE = "server.properties";

    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
    public static final String APP_NAME = "strand";
    public static final String BROKER_COMPONENT = "broker";
    /** Value of {@link #MANAGED_BY_LABEL} on everything the operator creates; its informers select on it. */
    public static final String MANAGED_BY = "strand-operator";
    /** Set by the StatefulSet controller on each pod (Kubernetes 1.28+); the broker's node.id comes from it. */
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    /** Hash of the broker configuration a pod was started with; a pod whose value differs needs a restart. */
    public static final String CONFIG_HASH_ANNOTATION = "strand.io/config-hash";

    private ClusterResources() {
    }

    public static String statefulSetName(String cluster) {
        return cluster + "-broker";
    }

    public static String headlessServiceName(String cluster) {
        return cluster + "-brokers";
    }

    public static String bootstrapServiceName(String cluster) {
        return cluster + "-bootstrap";
    }

    /** The Service to port-forward to for single-port access, when the cluster has a tunnel listener. */
    public static String tunnelServiceName(String cluster) {
        return cluster + "-tunnel";
    }

    public static String configMapName(String cluster) {
        return cluster + "-config";
    }

    public static String serviceAccountName(String cluster) {
        return cluster + "-broker";
    }

    public static String podDisruptionBudgetName(String cluster) {
        return cluster + "-broker";
    }

    public static String podName(String cluster, int ordinal) {
        return statefulSetName(cluster) + "-" + ordinal;
    }

    /** The stable DNS name the headless Service gives a broker pod, whether or not it is ready. */
    public static String podHost(String cluster, String namespace, int ordinal) {
        return podName(cluster, ordinal) + "." + headlessServiceName(cluster) + "." + namespace + ".svc";
    }

    public static String bootstrapAddress(String cluster, String namespace, int port) {
        return bootstrapServiceName(cluster) + "." + namespace + ".svc:" + port;
    }

    /** The labels selectors match on; they never change for a cluster, as a StatefulSet's selector is immutable. */
    public static Map<String, String> selectorLabels(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, APP_NAME);
        labels.put(INSTANCE_LABEL, cluster);
        labels.put(COMPONENT_LABEL, BROKER_COMPONENT);
        return labels;
    }

    /** The labels on every object of a cluster. */
    public static Map<String, String> labels(String cluster) {
        Map<String, String> labels = selectorLabels(cluster);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(PART_OF_LABEL, APP_NAME);
        return labels;
    }

    /** {@link #selectorLabels} as a label selector string, for the scale subresource's {@code status.labelSelector}. */
    public static String labelSelector(String cluster) {
        return selectorLabels(cluster).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    public static String name(KafkaCluster cluster) {
        return cluster.getMetadata().getName();
    }

    public static String namespace(KafkaCluster cluster) {
        return cluster.getMetadata().getNamespace();
    }
}
