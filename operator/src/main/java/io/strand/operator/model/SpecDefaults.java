package io.strand.operator.model;

import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import java.util.Map;

/**
 * Values of a KafkaCluster spec with its defaults applied. The CRD defaults most fields already, but objects built in
 * code (tests, or resources stored before a default was added) may leave them unset, so the model never trusts them.
 */
final class SpecDefaults {

    private SpecDefaults() {
    }

    static KafkaClusterSpec spec(KafkaCluster cluster) {
        KafkaClusterSpec spec = cluster.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException("KafkaCluster " + cluster.getMetadata().getName() + " has no spec");
        }
        return spec;
    }

    static int replicas(KafkaCluster cluster) {
        Integer replicas = spec(cluster).getReplicas();
        return replicas == null ? 3 : replicas;
    }

    static int kafkaPort(KafkaCluster cluster) {
        return Listeners.internalPort(cluster);
    }

    static boolean metricsEnabled(KafkaCluster cluster) {
        var metrics = spec(cluster).getMetrics();
        return metrics == null || metrics.getEnabled() == null || metrics.getEnabled();
    }

    static String image(KafkaCluster cluster, OperatorSettings settings) {
        String image = spec(cluster).getImage();
        return image == null || image.isBlank() ? settings.brokerImage() : image;
    }

    static Map<String, String> userConfig(KafkaCluster cluster) {
        Map<String, String> config = spec(cluster).getConfig();
        return config == null ? Map.of() : config;
    }

    static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
