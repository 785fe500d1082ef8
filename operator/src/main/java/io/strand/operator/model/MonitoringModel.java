package io.strand.operator.model;

import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitorBuilder;
import io.strand.operator.api.KafkaCluster;

/** The Prometheus Operator's PodMonitor for a cluster's brokers: their /metrics on the container port "metrics". */
public final class MonitoringModel {

    private MonitoringModel() {
    }

    /** Whether the brokers serve /metrics, and so whether a PodMonitor should exist. */
    public static boolean metricsEnabled(KafkaCluster cluster) {
        return SpecDefaults.metricsEnabled(cluster);
    }

    public static PodMonitor podMonitor(KafkaCluster cluster) {
        String name = cluster.getMetadata().getName();
        return new PodMonitorBuilder()
                .withNewMetadata().withName(ClusterResources.statefulSetName(name))
                .withNamespace(ClusterResources.namespace(cluster)).withLabels(ClusterResources.labels(name)).endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(ClusterResources.selectorLabels(name)).endSelector()
                .addNewPodMetricsEndpoint().withPort(ClusterResources.METRICS_PORT_NAME).withPath("/metrics").endPodMetricsEndpoint()
                .endSpec().build();
    }
}
