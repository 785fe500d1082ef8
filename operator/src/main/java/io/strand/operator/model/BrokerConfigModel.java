package io.strand.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The broker configuration shared by every pod of a cluster, as a ConfigMap holding {@code server.properties}
 * (passed to the broker with {@code --config}). What differs per pod ({@code node.id}, {@code advertised.listeners})
 * comes from {@code STRAND_*} environment variables, which the broker ranks above the file.
 */
public final class BrokerConfigModel {

    public static final String QUORUM_VOTERS_KEY = "controller.quorum.voters";

    private BrokerConfigModel() {
    }

    public static ConfigMap configMap(KafkaCluster cluster, List<Integer> voters) {
        String name = ClusterResources.name(cluster);
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.configMapName(name))
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withData(Map.of(ClusterResources.CONFIG_FILE, render(brokerConfig(cluster, voters))))
                .build();
    }

    /**
     * User overrides first, then the keys the operator owns on top, so an override the CRD's validation missed (for
     * instance one stored before the rule existed) cannot break the quorum.
     */
    public static SortedMap<String, String> brokerConfig(KafkaCluster cluster, List<Integer> voters) {
        String name = ClusterResources.name(cluster);
        SortedMap<String, String> config = new TreeMap<>(SpecDefaults.userConfig(cluster));
        KafkaClusterSpec.RESERVED_CONFIG_KEYS.forEach(config::remove);
        // durable by default, as a user of a replicated cluster expects (the broker's own defaults suit one broker):
        // three replicas, or as many as there are brokers, and acks=all needing two of three. Derived from
        // min(replicas, 3), so scaling beyond three brokers does not change the configuration (and roll the brokers).
        int replicationFactor = Math.min(3, SpecDefaults.replicas(cluster));
        config.putIfAbsent("default.replication.factor", String.valueOf(replicationFactor));
        config.putIfAbsent("offsets.topic.replication.factor", String.valueOf(replicationFactor));
        config.putIfAbsent("min.insync.replicas", String.valueOf(replicationFactor >= 3 ? 2 : 1));
        config.put("listeners", "PLAINTEXT://0.0.0.0:" + SpecDefaults.kafkaPort(cluster));
        config.put("controller.listener.host", "0.0.0.0");
        config.put(QUORUM_VOTERS_KEY, Voters.quorumVoters(name, ClusterResources.namespace(cluster), voters));
        config.put("log.dirs", ClusterResources.LOG_DIRS);
        config.put("metrics.port", String.valueOf(SpecDefaults.metricsEnabled(cluster) ? ClusterResources.METRICS_PORT : 0));
        Listeners.tunnel(cluster).ifPresent(tunnel -> {
            // every broker advertises the same address: whichever broker the tunnel lands on relays for the others
            config.put("relay.listener", "PLAINTEXT://0.0.0.0:" + tunnel.port());
            config.put("relay.advertised.listener", tunnel.advertisedListener());
        });
        return config;
    }

    /** The voters an existing ConfigMap names, for {@link Voters#decide} when the status has lost them. */
    public static Optional<String> quorumVoters(ConfigMap existing) {
        if (existing == null || existing.getData() == null) {
            return Optional.empty();
        }
        String properties = existing.getData().get(ClusterResources.CONFIG_FILE);
        if (properties == null) {
            return Optional.empty();
        }
        Properties parsed = new Properties();
        try {
            parsed.load(new StringReader(properties));
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen reading a String", e);
        }
        return Optional.ofNullable(parsed.getProperty(QUORUM_VOTERS_KEY));
    }

    /** SHA-256 of the rendered configuration: pods started with another value run an outdated configuration. */
    public static String configHash(ConfigMap configMap) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(configMap.getData()).forEach((key, value) -> {
                sha.update(key.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(value.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            });
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Properties-file text, sorted and without {@link Properties#store}'s timestamp comment: identical input
     * must give identical bytes, or every reconcile would look like a configuration change.
     */
    static String render(SortedMap<String, String> config) {
        StringBuilder out = new StringBuilder("# Generated by the Strand operator from the KafkaCluster; edits are overwritten.\n");
        config.forEach((key, value) -> out.append(escape(key, true)).append('=').append(escape(value, false)).append('\n'));
        return out.toString();
    }

    private static String escape(String text, boolean key) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append(key || i == 0 ? "\\" + c : String.valueOf(c));
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        // \\u escapes keep the file ASCII, whatever charset the broker reads it with
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
