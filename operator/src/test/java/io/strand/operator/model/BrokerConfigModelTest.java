package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Listener;
import io.strand.operator.api.Metrics;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BrokerConfigModelTest {

    private static final List<Integer> VOTERS = List.of(0, 1, 2);

    @Test
    void configMapIsNamedAndLabelledForTheCluster() {
        ConfigMap configMap = BrokerConfigModel.configMap(TestClusters.cluster(3), VOTERS);
        assertThat(configMap.getMetadata().getName()).isEqualTo("events-config");
        assertThat(configMap.getMetadata().getNamespace()).isEqualTo("kafka");
        assertThat(configMap.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(configMap.getData()).containsOnlyKeys("server.properties");
    }

    @Test
    void serverPropertiesHoldTheClusterWideKeys() {
        Properties properties = load(BrokerConfigModel.configMap(TestClusters.cluster(3), VOTERS));
        assertThat(properties)
                .containsEntry("listeners", "PLAINTEXT://0.0.0.0:9092")
                .containsEntry("controller.listener.host", "0.0.0.0")
                .containsEntry("controller.quorum.voters", "0@events-broker-0.events-brokers.kafka.svc:9093,"
                        + "1@events-broker-1.events-brokers.kafka.svc:9093,2@events-broker-2.events-brokers.kafka.svc:9093")
                .containsEntry("log.dirs", "/var/lib/strand/data")
                .containsEntry("metrics.port", "9404");
        // per-pod keys come from the environment, never from the shared file
        assertThat(properties).doesNotContainKeys("node.id", "advertised.listeners");
    }

    @Test
    void replicationDefaultsAreDurableFollowTheBrokerCountUpToThreeAndYieldToTheUser() {
        assertThat(load(BrokerConfigModel.configMap(TestClusters.cluster(5), List.of(0, 1, 2))))
                .containsEntry("default.replication.factor", "3")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2");
        assertThat(BrokerConfigModel.configHash(BrokerConfigModel.configMap(TestClusters.cluster(5), List.of(0, 1, 2))))
                .as("scaling from 3 to 5 brokers changes no broker configuration")
                .isEqualTo(BrokerConfigModel.configHash(BrokerConfigModel.configMap(TestClusters.cluster(3), List.of(0, 1, 2))));
        assertThat(load(BrokerConfigModel.configMap(TestClusters.cluster(1), List.of(0))))
                .containsEntry("default.replication.factor", "1")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("min.insync.replicas", "1");

        KafkaCluster custom = TestClusters.cluster(3);
        custom.getSpec().setConfig(Map.of("min.insync.replicas", "1", "default.replication.factor", "2"));
        assertThat(load(BrokerConfigModel.configMap(custom, VOTERS)))
                .containsEntry("min.insync.replicas", "1")
                .containsEntry("default.replication.factor", "2")
                .containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void userOverridesAreKeptButNeverReplaceOperatorKeys() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().setConfig(Map.of("num.partitions", "6", "log.dirs", "/tmp/elsewhere", "node.id", "7",
                "controller.quorum.voters", "9@evil:9093"));
        Properties properties = load(BrokerConfigModel.configMap(cluster, VOTERS));
        assertThat(properties).containsEntry("num.partitions", "6").containsEntry("log.dirs", "/var/lib/strand/data");
        assertThat(properties.getProperty("controller.quorum.voters")).startsWith("0@events-broker-0");
        assertThat(properties).doesNotContainKey("node.id");
    }

    @Test
    void listenerPortAndMetricsFollowTheSpec() {
        KafkaCluster cluster = TestClusters.cluster(1);
        cluster.getSpec().setListeners(List.of(new Listener("plain", 19092)));
        Metrics metrics = new Metrics();
        metrics.setEnabled(false);
        cluster.getSpec().setMetrics(metrics);
        Properties properties = load(BrokerConfigModel.configMap(cluster, List.of(0)));
        assertThat(properties).containsEntry("listeners", "PLAINTEXT://0.0.0.0:19092").containsEntry("metrics.port", "0");
    }

    @Test
    void aTunnelListenerTurnsOnTheRelayListenerAdvertisingTheClientsEndOfTheTunnel() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(load(BrokerConfigModel.configMap(cluster, List.of(0, 1, 2))))
                .doesNotContainKeys("relay.listener", "relay.advertised.listener");

        Listener tunnel = Listener.tunnel("tunnel", 9094);
        tunnel.setAdvertisedHost("kafka.example");
        tunnel.setAdvertisedPort(29092);
        cluster.getSpec().setListeners(List.of(new Listener("plain", 9092), tunnel));
        cluster.getSpec().setConfig(Map.of("relay.listener", "PLAINTEXT://0.0.0.0:1"));
        assertThat(load(BrokerConfigModel.configMap(cluster, List.of(0, 1, 2))))
                .containsEntry("listeners", "PLAINTEXT://0.0.0.0:9092")
                .containsEntry("relay.listener", "PLAINTEXT://0.0.0.0:9094")
                .containsEntry("relay.advertised.listener", "PLAINTEXT://kafka.example:29092");

        cluster.getSpec().setListeners(List.of(new Listener("plain", 9092), Listener.tunnel("tunnel", 9094)));
        assertThat(load(BrokerConfigModel.configMap(cluster, List.of(0, 1, 2))))
                .as("defaults: what `kubectl port-forward svc/<cluster>-tunnel 9092` gives the client")
                .containsEntry("relay.advertised.listener", "PLAINTEXT://localhost:9092");
    }

    @Test
    void renderingIsDeterministicAndSurvivesAwkwardValues() {
        Map<String, String> awkward = new TreeMap<>(Map.of(
                "a key with spaces", " leading space",
                "colon:and=equals", "value=with:separators",
                "#hash", "!bang and trailing\\backslash\\",
                "unicode", "zoné ✓",
                "multi", "line one\nline two\ttab"));
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().setConfig(awkward);
        String first = BrokerConfigModel.configMap(cluster, VOTERS).getData().get("server.properties");
        String second = BrokerConfigModel.configMap(cluster, VOTERS).getData().get("server.properties");
        assertThat(first).isEqualTo(second).doesNotContain("#Mon", "#Tue", "#Wed", "#Thu", "#Fri", "#Sat", "#Sun");
        assertThat(first.chars().allMatch(c -> c < 0x80)).as("ASCII only").isTrue();
        Properties loaded = load(BrokerConfigModel.configMap(cluster, VOTERS));
        awkward.forEach((key, value) -> assertThat(loaded.getProperty(key)).as(key).isEqualTo(value));
    }

    @Test
    void configHashChangesWithTheConfigurationOnly() {
        KafkaCluster cluster = TestClusters.cluster(3);
        String hash = BrokerConfigModel.configHash(BrokerConfigModel.configMap(cluster, VOTERS));
        assertThat(hash).hasSize(16).isEqualTo(BrokerConfigModel.configHash(BrokerConfigModel.configMap(cluster, VOTERS)));
        cluster.getSpec().setReplicas(5); // replicas are not broker configuration
        assertThat(BrokerConfigModel.configHash(BrokerConfigModel.configMap(cluster, VOTERS))).isEqualTo(hash);
        cluster.getSpec().setConfig(Map.of("num.partitions", "6"));
        assertThat(BrokerConfigModel.configHash(BrokerConfigModel.configMap(cluster, VOTERS))).isNotEqualTo(hash);
    }

    @Test
    void theVotersCanBeReadBackFromAnExistingConfigMap() {
        ConfigMap configMap = BrokerConfigModel.configMap(TestClusters.cluster(5), VOTERS);
        assertThat(BrokerConfigModel.quorumVoters(configMap).map(Voters::parseIds)).contains(VOTERS);
        assertThat(BrokerConfigModel.quorumVoters(null)).isEmpty();
        assertThat(BrokerConfigModel.quorumVoters(new ConfigMapBuilder().build())).isEmpty();
        assertThat(BrokerConfigModel.quorumVoters(new ConfigMapBuilder().addToData("other", "x").build())).isEmpty();
    }

    static Properties load(ConfigMap configMap) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(configMap.getData().get("server.properties")));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return properties;
    }
}
