package io.strand.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.strand.operator.api.BrokerPodTemplate;
import io.strand.operator.api.JvmOptions;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Rack;
import io.strand.operator.api.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The brokers' StatefulSet. Pod ordinal = broker {@code node.id}. Pods start in parallel (the quorum needs a majority
 * of voters up before any broker is usable) and are only replaced when the operator deletes them ({@code OnDelete}):
 * restarting brokers safely takes checks the StatefulSet controller cannot make, such as partitions staying in sync.
 */
public final class StatefulSetModel {

    static final String RACK_ENV = "STRAND_BROKER_RACK";
    static final java.util.Set<String> COPIED_TOPOLOGY_LABELS = java.util.Set.of("topology.kubernetes.io/zone", "topology.kubernetes.io/region");
    static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    public static final String POD_NAME_ENV = "POD_NAME";
    public static final String NODE_ID_ENV = "STRAND_NODE_ID";
    public static final String ADVERTISED_LISTENERS_ENV = "STRAND_ADVERTISED_LISTENERS";
    public static final String JAVA_OPTIONS_ENV = "JDK_JAVA_OPTIONS";

    private StatefulSetModel() {
    }

    /**
     * @param voters the quorum's node ids: the StatefulSet never shrinks below the highest of them (see {@link Voters})
     * @param configHash {@link BrokerConfigModel#configHash} of the ConfigMap the pods mount, stamped on the pod template
     *     so that pods running an older configuration can be found and restarted
     */
    public static StatefulSet statefulSet(KafkaCluster cluster, List<Integer> voters, OperatorSettings settings, String configHash) {
        String name = ClusterResources.name(cluster);
        Storage storage = SpecDefaults.spec(cluster).getStorage();
        if (storage == null || storage.getSize() == null) {
            throw new IllegalArgumentException("KafkaCluster " + name + " has no spec.storage.size");
        }
        BrokerPodTemplate template = SpecDefaults.spec(cluster).getTemplate();
        boolean deleteClaims = Boolean.TRUE.equals(storage.getDeleteClaim());
        return new StatefulSetBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.statefulSetName(name))
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withNewSpec()
                    .withReplicas(Voters.effectiveReplicas(SpecDefaults.replicas(cluster), voters))
                    .withServiceName(ClusterResources.headlessServiceName(name))
                    .withPodManagementPolicy("Parallel")
                    .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                    .withNewSelector().withMatchLabels(ClusterResources.selectorLabels(name)).endSelector()
                    // volumes of brokers removed by a scale-down are kept: scaling back up finds their data again
                    .withNewPersistentVolumeClaimRetentionPolicy()
                        .withWhenDeleted(deleteClaims ? "Delete" : "Retain")
                        .withWhenScaled("Retain")
                    .endPersistentVolumeClaimRetentionPolicy()
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(podLabels(name, template))
                            .withAnnotations(podAnnotations(template, configHash))
                        .endMetadata()
                        .withNewSpec()
                            .withServiceAccountName(ClusterResources.serviceAccountName(name))
                            // the image runs as uid 1001; fsGroup makes volumes that provisioners create root-owned
                            // writable to it (the data directory would otherwise fail with AccessDenied)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(ClusterResources.BROKER_UID)
                                .withFsGroup(ClusterResources.BROKER_UID)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            // room for controlled.shutdown.timeout.ms (30 s) to move leaderships away before SIGKILL
                            .withTerminationGracePeriodSeconds(60L)
                            .withAffinity(template == null ? null : template.getAffinity())
                            .withTolerations(template == null || template.getTolerations() == null ? List.of() : template.getTolerations())
                            .withTopologySpreadConstraints(rackSpread(name, SpecDefaults.spec(cluster).getRack()))
                            .withContainers(brokerContainer(cluster, settings))
                            .addNewVolume()
                                .withName(ClusterResources.CONFIG_VOLUME)
                                .withNewConfigMap().withName(ClusterResources.configMapName(name)).endConfigMap()
                            .endVolume()
                        .endSpec()
                    .endTemplate()
                    .withVolumeClaimTemplates(dataClaim(name, storage))
                .endSpec()
                .build();
    }

    private static Container brokerContainer(KafkaCluster cluster, OperatorSettings settings) {
        int kafkaPort = SpecDefaults.kafkaPort(cluster);
        List<ContainerPort> ports = new ArrayList<>();
        ports.add(containerPort(ClusterResources.KAFKA_PORT_NAME, kafkaPort));
        ports.add(containerPort(ClusterResources.CONTROLLER_PORT_NAME, ClusterResources.CONTROLLER_PORT));
        if (SpecDefaults.metricsEnabled(cluster)) {
            ports.add(containerPort(ClusterResources.METRICS_PORT_NAME, ClusterResources.METRICS_PORT));
        }
        Listeners.tunnel(cluster).ifPresent(tunnel -> ports.add(containerPort(ClusterResources.TUNNEL_PORT_NAME, tunnel.port())));
        return new ContainerBuilder()
                .withName(ClusterResources.BROKER_CONTAINER)
                .withImage(SpecDefaults.image(cluster, settings))
                .withArgs("--config", ClusterResources.CONFIG_MOUNT_PATH + "/" + ClusterResources.CONFIG_FILE)
                .withPorts(ports)
                .withEnv(env(cluster, kafkaPort))
                .withResources(SpecDefaults.spec(cluster).getResources())
                // what the Pod Security "restricted" level asks of a container
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName(ClusterResources.DATA_VOLUME).withMountPath(ClusterResources.DATA_MOUNT_PATH).endVolumeMount()
                .addNewVolumeMount()
                    .withName(ClusterResources.CONFIG_VOLUME)
                    .withMountPath(ClusterResources.CONFIG_MOUNT_PATH)
                    .withReadOnly(true)
                .endVolumeMount()
                .withReadinessProbe(readinessProbe(cluster, kafkaPort))
                .withLivenessProbe(tcpProbe(kafkaPort, 60, 10, 6))
                .build();
    }

    /**
     * Per-pod configuration. Order matters: Kubernetes expands {@code $(POD_NAME)} only from variables defined earlier
     * in the list.
     */
    static List<EnvVar> env(KafkaCluster cluster, int kafkaPort) {
        String name = ClusterResources.name(cluster);
        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef(POD_NAME_ENV, "metadata.name"));
        env.add(fieldRef(NODE_ID_ENV, "metadata.labels['" + ClusterResources.POD_INDEX_LABEL + "']"));
        env.add(new EnvVar(ADVERTISED_LISTENERS_ENV, "PLAINTEXT://$(" + POD_NAME_ENV + ")."
                + ClusterResources.headlessServiceName(name) + "." + ClusterResources.namespace(cluster) + ".svc:" + kafkaPort, null));
        rackEnv(SpecDefaults.spec(cluster).getRack()).ifPresent(env::add);
        String javaOptions = javaOptions(SpecDefaults.spec(cluster).getJvmOptions());
        if (!javaOptions.isEmpty()) {
            env.add(new EnvVar(JAVA_OPTIONS_ENV, javaOptions, null));
        }
        return env;
    }

    /**
     * broker.rack from the pod's node. The downward API cannot read node labels, but since Kubernetes 1.35
     * (PodTopologyLabelsAdmission, beta and on by default) a pod bound to a node carries that node's
     * topology.kubernetes.io/zone and /region labels, and the hostname label is the node name. Other keys cannot
     * reach the broker without an init container with rights to read Nodes; they only spread the pods (rackSpread).
     */
    static java.util.Optional<EnvVar> rackEnv(Rack rack) {
        if (rack == null) {
            return java.util.Optional.empty();
        }
        String key = rack.getTopologyKey() == null ? Rack.DEFAULT_TOPOLOGY_KEY : rack.getTopologyKey();
        if (COPIED_TOPOLOGY_LABELS.contains(key)) {
            return java.util.Optional.of(fieldRef(RACK_ENV, "metadata.labels['" + key + "']"));
        }
        if (HOSTNAME_LABEL.equals(key)) {
            return java.util.Optional.of(fieldRef(RACK_ENV, "spec.nodeName"));
        }
        return java.util.Optional.empty();
    }

    static String javaOptions(JvmOptions options) {
        if (options == null) {
            return "";
        }
        List<String> flags = new ArrayList<>();
        if (options.getXms() != null) {
            flags.add("-Xms" + options.getXms());
        }
        if (options.getXmx() != null) {
            flags.add("-Xmx" + options.getXmx());
        }
        if (options.getOptions() != null) {
            flags.addAll(options.getOptions());
        }
        return String.join(" ", flags);
    }

    /** The template's labels, with the selector labels on top so that a template can never detach a pod. */
    private static Map<String, String> podLabels(String cluster, BrokerPodTemplate template) {
        Map<String, String> labels = new LinkedHashMap<>(SpecDefaults.orEmpty(template == null ? null : template.getLabels()));
        labels.putAll(ClusterResources.labels(cluster));
        return labels;
    }

    private static Map<String, String> podAnnotations(BrokerPodTemplate template, String configHash) {
        Map<String, String> annotations = new LinkedHashMap<>(SpecDefaults.orEmpty(template == null ? null : template.getAnnotations()));
        annotations.put(ClusterResources.CONFIG_HASH_ANNOTATION, configHash);
        return annotations;
    }

    /**
     * With rack awareness, brokers spread evenly over the topology key's values, so replicas placed on distinct racks
     * also land in distinct failure domains. Best effort: a zone outage must not stop a replacement pod from starting.
     */
    static List<TopologySpreadConstraint> rackSpread(String cluster, Rack rack) {
        if (rack == null) {
            return List.of();
        }
        String topologyKey = rack.getTopologyKey() == null ? Rack.DEFAULT_TOPOLOGY_KEY : rack.getTopologyKey();
        return List.of(new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey(topologyKey)
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector().withMatchLabels(ClusterResources.selectorLabels(cluster)).endLabelSelector()
                .build());
    }

    private static PersistentVolumeClaim dataClaim(String cluster, Storage storage) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.DATA_VOLUME)
                    .withLabels(ClusterResources.selectorLabels(cluster))
                .endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storage.getStorageClass())
                    .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
                .endSpec()
                .build();
    }

    private static ContainerPort containerPort(String name, int port) {
        return new ContainerPortBuilder().withName(name).withContainerPort(port).withProtocol("TCP").build();
    }

    private static EnvVar fieldRef(String name, String fieldPath) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath(fieldPath).endFieldRef().endValueFrom()
                .build();
    }

    /**
     * Ready = registered with the controller and unfenced, from the broker's {@code /ready} on its metrics port: an open
     * client port only says the process listens, and a broker still catching up on metadata must not receive clients
     * from the bootstrap Service or count as restarted during a roll. With metrics off there is no HTTP port, so the
     * client port it is.
     */
    static Probe readinessProbe(KafkaCluster cluster, int kafkaPort) {
        if (!SpecDefaults.metricsEnabled(cluster)) {
            return tcpProbe(kafkaPort, 5, 5, 3);
        }
        return new ProbeBuilder()
                .withNewHttpGet()
                    .withPath(ClusterResources.READY_PATH)
                    .withPort(new IntOrString(ClusterResources.METRICS_PORT_NAME))
                    .withScheme("HTTP")
                .endHttpGet()
                .withInitialDelaySeconds(5)
                .withPeriodSeconds(5)
                .withFailureThreshold(3)
                .build();
    }

    private static Probe tcpProbe(int port, int initialDelaySeconds, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket()
                .withInitialDelaySeconds(initialDelaySeconds)
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }
}
