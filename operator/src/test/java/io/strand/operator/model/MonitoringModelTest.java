package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitoringModelTest {

    private static final OperatorSettings SETTINGS = new OperatorSettings("registry.local/strand/broker:default");

    @Test
    void thePodMonitorSelectsTheBrokersMetricsPort() {
        KafkaCluster cluster = TestClusters.cluster(3);
        PodMonitor monitor = MonitoringModel.podMonitor(cluster);
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getKind()).isEqualTo("PodMonitor");
        assertThat(monitor.getMetadata().getName()).isEqualTo(ClusterResources.statefulSetName("events"));
        assertThat(monitor.getMetadata().getLabels()).containsAllEntriesOf(ClusterResources.labels("events"));
        assertThat(monitor.getSpec().getSelector().getMatchLabels()).isEqualTo(ClusterResources.selectorLabels("events"));
        assertThat(monitor.getSpec().getPodMetricsEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPort()).isEqualTo(ClusterResources.METRICS_PORT_NAME);
            assertThat(e.getPath()).isEqualTo("/metrics");
        });
        // the port it names is one the broker container declares
        assertThat(StatefulSetModel.statefulSet(cluster, List.of(0, 1, 2), SETTINGS, "0123456789abcdef").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getPorts()).anyMatch(p -> ClusterResources.METRICS_PORT_NAME.equals(p.getName()) && p.getContainerPort() == ClusterResources.METRICS_PORT);
    }

    @Test
    void metricsAreOnUnlessTurnedOff() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(MonitoringModel.metricsEnabled(cluster)).isTrue();
        Metrics off = new Metrics();
        off.setEnabled(false);
        cluster.getSpec().setMetrics(off);
        assertThat(MonitoringModel.metricsEnabled(cluster)).isFalse();
    }
}
