package io.strand.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterStatus;
import io.strand.operator.model.TestClusters;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterStatusModelTest {

    private static final List<Integer> VOTERS = List.of(0, 1, 2);
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T10:05:00Z");

    private static StatefulSet sts(long generation, long observed, int replicas, int ready) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName("events-broker").withGeneration(generation).endMetadata()
                .withNewStatus().withObservedGeneration(observed).withReplicas(replicas).withReadyReplicas(ready)
                .withUpdatedReplicas(replicas).withCurrentRevision("r1").withUpdateRevision("r1").endStatus()
                .build();
    }

    private static Condition condition(KafkaClusterStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    @Test
    void withoutAStatefulSetTheClusterIsBeingCreated() {
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(3), Optional.empty(), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Ready").getReason()).isEqualTo("Creating");
        assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("True");
        assertThat(status.getReplicas()).isZero();
        assertThat(status.getReadyReplicas()).isZero();
    }

    @Test
    void readyOnceEveryBrokerIsReady() {
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(3), Optional.of(sts(1, 1, 3, 3)), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Ready").getReason()).isEqualTo("Ready");
        assertThat(condition(status, "Ready").getMessage()).isEqualTo("3/3 brokers ready");
        assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Warning").getStatus()).isEqualTo("False");
        assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getReplicas()).isEqualTo(3);
        assertThat(status.getReadyReplicas()).isEqualTo(3);
        assertThat(status.getLabelSelector()).isEqualTo("app.kubernetes.io/name=strand,app.kubernetes.io/instance=events,app.kubernetes.io/component=broker");
        assertThat(status.getBootstrapAddress()).isEqualTo("events-bootstrap.kafka.svc:9092");
        assertThat(status.getVoters()).isEqualTo(VOTERS);
    }

    @Test
    void notReadyWhileBrokersStart() {
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(3), Optional.of(sts(1, 1, 3, 2)), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Ready").getReason()).isEqualTo("BrokersNotReady");
        assertThat(condition(status, "Ready").getMessage()).isEqualTo("2/3 brokers ready");
        assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("True");
    }

    @Test
    void notReadyUntilTheStatefulSetControllerHasSeenTheLatestSpec() {
        // 3 of 3 ready, but as of generation 1: the change in generation 2 (say, a new image) has not been acted on
        KafkaCluster cluster = TestClusters.cluster(3);
        KafkaClusterStatus status = ClusterStatusModel.compute(cluster, Optional.of(sts(2, 1, 3, 3)), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Ready").getReason()).isEqualTo("BrokersNotReady");
        status = ClusterStatusModel.compute(cluster, Optional.of(sts(2, 2, 3, 3)), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    }

    @Test
    void aScaleUpIsNotReadyUntilTheNewBrokersAre() {
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(5), Optional.of(sts(2, 2, 3, 3)), VOTERS, T0);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(status, "Ready").getMessage()).isEqualTo("3/5 brokers ready");
    }

    @Test
    void aScaleDownThatWouldRemoveVotersIsReportedAsBlocked() {
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(1), Optional.of(sts(1, 1, 3, 3)), VOTERS, T0);
        assertThat(condition(status, "Warning").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Warning").getReason()).isEqualTo("ScaleDownBlocked");
        assertThat(condition(status, "Warning").getMessage()).contains("[0, 1, 2]").contains("keeping 3");
        assertThat(condition(status, "Ready").getStatus()).as("the brokers that run are all ready").isEqualTo("True");
    }

    @Test
    void podsOnAnOlderTemplateAreReportedAsAPendingRoll() {
        StatefulSet outdated = new StatefulSetBuilder(sts(2, 2, 3, 3)).editStatus()
                .withUpdatedReplicas(1).withCurrentRevision("r1").withUpdateRevision("r2").endStatus().build();
        KafkaClusterStatus status = ClusterStatusModel.compute(TestClusters.cluster(3), Optional.of(outdated), VOTERS, T0);
        assertThat(condition(status, "Warning").getReason()).isEqualTo("RollPending");
        assertThat(condition(status, "Warning").getMessage()).startsWith("2 broker pod(s)");
    }

    @Test
    void transitionTimeMovesOnlyWhenTheConditionStatusChanges() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.setStatus(ClusterStatusModel.compute(cluster, Optional.of(sts(1, 1, 3, 1)), VOTERS, T0));
        KafkaClusterStatus stillStarting = ClusterStatusModel.compute(cluster, Optional.of(sts(1, 1, 3, 2)), VOTERS, T1);
        assertThat(condition(stillStarting, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
        assertThat(condition(stillStarting, "Ready").getMessage()).isEqualTo("2/3 brokers ready");

        KafkaClusterStatus ready = ClusterStatusModel.compute(cluster, Optional.of(sts(1, 1, 3, 3)), VOTERS, T1);
        assertThat(condition(ready, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T10:05:00Z");
        assertThat(condition(ready, "Warning").getLastTransitionTime()).as("stayed False").isEqualTo("2026-01-01T10:00:00Z");
    }

    @Test
    void theClusterIdIsKeptOnceKnown() {
        KafkaCluster cluster = TestClusters.cluster(3);
        KafkaClusterStatus previous = new KafkaClusterStatus();
        previous.setClusterId("q1Sh-9_ISia_zwGINzRvyQ");
        cluster.setStatus(previous);
        assertThat(ClusterStatusModel.compute(cluster, Optional.empty(), VOTERS, T0).getClusterId()).isEqualTo("q1Sh-9_ISia_zwGINzRvyQ");
    }
}
