package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterResourcesTest {

    @Test
    void namesDeriveFromTheClusterName() {
        assertThat(ClusterResources.statefulSetName("events")).isEqualTo("events-broker");
        assertThat(ClusterResources.headlessServiceName("events")).isEqualTo("events-brokers");
        assertThat(ClusterResources.bootstrapServiceName("events")).isEqualTo("events-bootstrap");
        assertThat(ClusterResources.configMapName("events")).isEqualTo("events-config");
        assertThat(ClusterResources.serviceAccountName("events")).isEqualTo("events-broker");
        assertThat(ClusterResources.podDisruptionBudgetName("events")).isEqualTo("events-broker");
        assertThat(ClusterResources.podName("events", 2)).isEqualTo("events-broker-2");
    }

    @Test
    void podHostIsTheHeadlessServiceDnsName() {
        assertThat(ClusterResources.podHost("events", "kafka", 1)).isEqualTo("events-broker-1.events-brokers.kafka.svc");
        assertThat(ClusterResources.bootstrapAddress("events", "kafka", 9092)).isEqualTo("events-bootstrap.kafka.svc:9092");
    }

    @Test
    void everyObjectIsLabelledManagedByTheOperatorAndSelectorLabelsAreASubset() {
        assertThat(ClusterResources.labels("events"))
                .containsEntry("app.kubernetes.io/managed-by", "strand-operator")
                .containsEntry("app.kubernetes.io/instance", "events")
                .containsAllEntriesOf(ClusterResources.selectorLabels("events"));
        // managed-by must stay out of the selector: an immutable StatefulSet selector would pin it forever
        assertThat(ClusterResources.selectorLabels("events")).doesNotContainKey("app.kubernetes.io/managed-by");
    }

    @Test
    void labelSelectorStringListsTheSelectorLabels() {
        assertThat(ClusterResources.labelSelector("events"))
                .isEqualTo("app.kubernetes.io/name=strand,app.kubernetes.io/instance=events,app.kubernetes.io/component=broker");
    }

    @Test
    void theLongestAllowedClusterNameGivesValidDnsLabels() {
        String name = "a".repeat(40); // the CRD's limit on metadata.name
        // the StatefulSet controller labels pods with controller-revision-hash=<sts name>-<hash of up to 10 chars>
        assertThat(ClusterResources.statefulSetName(name).length() + 1 + 10).isLessThanOrEqualTo(63);
        assertThat(ClusterResources.headlessServiceName(name)).hasSizeLessThanOrEqualTo(63);
        assertThat(ClusterResources.bootstrapServiceName(name)).hasSizeLessThanOrEqualTo(63);
        assertThat(ClusterResources.podName(name, 999)).hasSizeLessThanOrEqualTo(63);
    }
}
