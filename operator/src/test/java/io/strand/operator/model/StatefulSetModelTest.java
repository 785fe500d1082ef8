package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strand.operator.api.BrokerPodTemplate;
import io.strand.operator.api.JvmOptions;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Metrics;
import io.strand.operator.api.Rack;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatefulSetModelTest {

    private static final List<Integer> VOTERS = List.of(0, 1, 2);
    private static final OperatorSettings SETTINGS = new OperatorSettings("registry.local/strand/broker:default");

    private static StatefulSet statefulSet(KafkaCluster cluster) {
        return StatefulSetModel.statefulSet(cluster, VOTERS, SETTINGS, "0123456789abcdef");
    }

    private static Container broker(StatefulSet sts) {
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void statefulSetShape() {
        StatefulSet sts = statefulSet(TestClusters.cluster(3));
        assertThat(sts.getMetadata().getName()).isEqualTo("events-broker");
        assertThat(sts.getMetadata().getNamespace()).isEqualTo("kafka");
        assertThat(sts.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(sts.getMetadata().getOwnerReferences()).as("set by the dependent resource, not the model").isEmpty();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getServiceName()).isEqualTo(ClusterResources.headlessServiceName("events"));
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(sts.getSpec().getSelector().getMatchLabels()).isEqualTo(ClusterResources.selectorLabels("events"));
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(ClusterResources.serviceAccountName("events"));
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(30L);
    }

    @Test
    void replicasFollowTheSpecButKeepEveryVoter() {
        assertThat(statefulSet(TestClusters.cluster(5)).getSpec().getReplicas()).isEqualTo(5);
        assertThat(statefulSet(TestClusters.cluster(1)).getSpec().getReplicas()).isEqualTo(3);
        assertThat(StatefulSetModel.statefulSet(TestClusters.cluster(1), List.of(0), SETTINGS, "h").getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void dataVolumeClaimTemplate() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().getStorage().setStorageClass("fast");
        StatefulSet sts = statefulSet(cluster);
        assertThat(sts.getSpec().getVolumeClaimTemplates()).hasSize(1);
        PersistentVolumeClaim claim = sts.getSpec().getVolumeClaimTemplates().get(0);
        assertThat(claim.getMetadata().getName()).isEqualTo("data");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
        assertThat(broker(sts).getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath)
                .contains(tuple("data", "/var/lib/strand"));
        assertThat(ClusterResources.LOG_DIRS).startsWith("/var/lib/strand/");
    }

    @Test
    void claimsAreKeptOnScaleDownAndDeletedWithTheClusterOnlyWhenAskedTo() {
        KafkaCluster cluster = TestClusters.cluster(3);
        var policy = statefulSet(cluster).getSpec().getPersistentVolumeClaimRetentionPolicy();
        assertThat(policy.getWhenScaled()).isEqualTo("Retain");
        assertThat(policy.getWhenDeleted()).isEqualTo("Retain");
        cluster.getSpec().getStorage().setDeleteClaim(true);
        policy = statefulSet(cluster).getSpec().getPersistentVolumeClaimRetentionPolicy();
        assertThat(policy.getWhenScaled()).isEqualTo("Retain");
        assertThat(policy.getWhenDeleted()).isEqualTo("Delete");
    }

    @Test
    void withoutStorageThereIsNoStatefulSet() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().setStorage(null);
        assertThatThrownBy(() -> statefulSet(cluster)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage");
    }

    @Test
    void nodeIdComesFromThePodIndexLabelAndTheAdvertisedListenerFromThePodName() {
        Container broker = broker(statefulSet(TestClusters.cluster(3)));
        Map<String, EnvVar> env = env(broker);
        assertThat(env.get("STRAND_NODE_ID").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']");
        assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("STRAND_ADVERTISED_LISTENERS").getValue())
                .isEqualTo("PLAINTEXT://$(POD_NAME).events-brokers.kafka.svc:9092");
        List<String> names = broker.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names.indexOf("POD_NAME")).as("defined before the variable that expands it")
                .isLessThan(names.indexOf("STRAND_ADVERTISED_LISTENERS"));
    }

    @Test
    void theAdvertisedHostIsTheOneTheVotersUse() {
        // $(POD_NAME) expands to events-broker-<n>, so both must name the same headless-Service DNS name
        String advertised = env(broker(statefulSet(TestClusters.cluster(3)))).get("STRAND_ADVERTISED_LISTENERS").getValue()
                .replace("$(POD_NAME)", ClusterResources.podName("events", 1));
        assertThat(advertised).contains(ClusterResources.podHost("events", "kafka", 1) + ":");
        assertThat(Voters.quorumVoters("events", "kafka", VOTERS)).contains("1@" + ClusterResources.podHost("events", "kafka", 1) + ":");
    }

    @Test
    void theBrokerReadsTheMountedConfigMap() {
        StatefulSet sts = statefulSet(TestClusters.cluster(3));
        Container broker = broker(sts);
        assertThat(broker.getArgs()).containsExactly("--config", "/etc/strand/server.properties");
        assertThat(broker.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("config");
            assertThat(m.getMountPath()).isEqualTo("/etc/strand");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("config");
            assertThat(v.getConfigMap().getName()).isEqualTo(BrokerConfigModel.configMap(TestClusters.cluster(3), VOTERS).getMetadata().getName());
        });
        assertThat(BrokerConfigModel.configMap(TestClusters.cluster(3), VOTERS).getData()).containsKey(ClusterResources.CONFIG_FILE);
        assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("strand.io/config-hash", "0123456789abcdef");
    }

    @Test
    void imageDefaultsToTheOperatorSetting() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(broker(statefulSet(cluster)).getImage()).isEqualTo("registry.local/strand/broker:default");
        cluster.getSpec().setImage("strand/broker:1.2.3");
        assertThat(broker(statefulSet(cluster)).getImage()).isEqualTo("strand/broker:1.2.3");
    }

    @Test
    void brokersRunAsTheImagesNonRootUserWithWritableVolumesAndTheRestrictedPodSecurityLevel() {
        StatefulSet sts = statefulSet(TestClusters.cluster(3));
        var pod = sts.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isEqualTo(1001L);
        assertThat(pod.getFsGroup()).as("volumes provisioned root-owned must be writable by uid 1001").isEqualTo(1001L);
        assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var container = broker(sts).getSecurityContext();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void portsAndProbes() {
        Container broker = broker(statefulSet(TestClusters.cluster(3)));
        assertThat(broker.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort).containsExactly(
                tuple("kafka", 9092), tuple("controller", 9093),
                tuple("metrics", 9404));
        assertThat(broker.getReadinessProbe().getHttpGet().getPath()).as("registered and unfenced, not just listening").isEqualTo("/ready");
        assertThat(broker.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        assertThat(broker.getLivenessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(9092);
        assertThat(broker.getLivenessProbe().getInitialDelaySeconds()).isGreaterThan(broker.getReadinessProbe().getInitialDelaySeconds());

        KafkaCluster noMetrics = TestClusters.cluster(3);
        Metrics metrics = new Metrics();
        metrics.setEnabled(false);
        noMetrics.getSpec().setMetrics(metrics);
        Container withoutMetrics = broker(statefulSet(noMetrics));
        assertThat(withoutMetrics.getPorts()).extracting(ContainerPort::getName).doesNotContain("metrics");
        assertThat(withoutMetrics.getReadinessProbe().getHttpGet()).as("no HTTP port without metrics").isNull();
        assertThat(withoutMetrics.getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(9092);
    }

    @Test
    void resourcesAndJvmOptionsReachTheContainer() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().setResources(new ResourceRequirementsBuilder()
                .addToRequests("memory", new Quantity("2Gi")).addToLimits("memory", new Quantity("2Gi")).build());
        JvmOptions jvm = new JvmOptions();
        jvm.setXms("512m");
        jvm.setXmx("1g");
        jvm.setOptions(List.of("-XX:+UseZGC"));
        cluster.getSpec().setJvmOptions(jvm);
        Container broker = broker(statefulSet(cluster));
        assertThat(broker.getResources().getLimits()).containsEntry("memory", new Quantity("2Gi"));
        assertThat(env(broker).get("JDK_JAVA_OPTIONS").getValue()).isEqualTo("-Xms512m -Xmx1g -XX:+UseZGC");
        assertThat(env(broker(statefulSet(TestClusters.cluster(3))))).doesNotContainKey("JDK_JAVA_OPTIONS");
    }

    @Test
    void podTemplateOverridesApplyButCannotDetachPods() {
        KafkaCluster cluster = TestClusters.cluster(3);
        BrokerPodTemplate template = new BrokerPodTemplate();
        template.setLabels(Map.of("team", "payments", "app.kubernetes.io/instance", "hijacked"));
        template.setAnnotations(Map.of("prometheus.io/scrape", "true", "strand.io/config-hash", "forged"));
        template.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withValue("kafka").withEffect("NoSchedule").build()));
        template.setAffinity(new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("disk").withOperator("In").withValues("ssd")
                .endMatchExpression().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        cluster.getSpec().setTemplate(template);
        StatefulSet sts = statefulSet(cluster);
        var podMeta = sts.getSpec().getTemplate().getMetadata();
        assertThat(podMeta.getLabels()).containsEntry("team", "payments").containsEntry("app.kubernetes.io/instance", "events");
        assertThat(podMeta.getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("strand.io/config-hash", "0123456789abcdef");
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("dedicated");
        assertThat(pod.getAffinity()).isEqualTo(template.getAffinity());
    }

    @Test
    void rackAwarenessSpreadsBrokersOverTheTopologyKey() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(statefulSet(cluster).getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isEmpty();
        cluster.getSpec().setRack(new Rack());
        var spread = statefulSet(cluster).getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertThat(spread).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(ClusterResources.selectorLabels("events"));
        });
        Rack rack = new Rack();
        rack.setTopologyKey("kubernetes.io/hostname");
        cluster.getSpec().setRack(rack);
        assertThat(statefulSet(cluster).getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .singleElement().extracting(c -> c.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    }

    @Test
    void brokerRackComesFromThePodsTopologyLabelOrNodeName() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(rackSource(cluster)).isNull();
        cluster.getSpec().setRack(new Rack());
        assertThat(rackSource(cluster)).isEqualTo("metadata.labels['topology.kubernetes.io/zone']");
        Rack host = new Rack();
        host.setTopologyKey("kubernetes.io/hostname");
        cluster.getSpec().setRack(host);
        assertThat(rackSource(cluster)).isEqualTo("spec.nodeName");
        Rack custom = new Rack();
        custom.setTopologyKey("example.com/room");
        cluster.getSpec().setRack(custom);
        assertThat(rackSource(cluster)).as("not readable by the downward API").isNull();
    }

    private static String rackSource(KafkaCluster cluster) {
        return statefulSet(cluster).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> "STRAND_BROKER_RACK".equals(e.getName())).findFirst()
                .map(e -> e.getValueFrom().getFieldRef().getFieldPath()).orElse(null);
    }

    @Test
    void theModelIsPureTheSameInputGivesEqualObjects() {
        assertThat(statefulSet(TestClusters.cluster(3))).isEqualTo(statefulSet(TestClusters.cluster(3)));
    }
}
