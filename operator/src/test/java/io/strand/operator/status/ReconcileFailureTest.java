package io.strand.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.KafkaClusterStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileFailureTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void anObjectTheApiServerRefusedIsAnInvalidSpecWithItsMessageEvenInsideJosdksAggregate() {
        KubernetesClientException refused = new KubernetesClientException(new StatusBuilder().withCode(422)
                .withMessage("StatefulSet.apps \"c-broker\" is invalid: requests must be less than or equal to memory limit").build());
        Exception aggregated = new AggregatedOperatorException("workflow failed", Map.of("brokers", new RuntimeException(refused)));

        KafkaClusterStatus status = ReconcileFailure.status(cluster(), aggregated, NOW);

        var ready = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo(ReconcileFailure.REASON_INVALID_SPEC);
        assertThat(ready.getMessage()).contains("must be less than or equal to memory limit");
        assertThat(Conditions.isTrue(status.getConditions(), Conditions.WARNING)).isTrue();
        assertThat(status.getObservedGeneration()).isEqualTo(4L);
    }

    @Test
    void otherFailuresKeepWhatTheStatusKnewAndNameTheRootCause() {
        KafkaCluster cluster = cluster();
        KafkaClusterStatus previous = new KafkaClusterStatus();
        previous.setClusterId("abc");
        previous.setVoters(List.of(0, 1, 2));
        previous.setReadyReplicas(3);
        cluster.setStatus(previous);

        KafkaClusterStatus status = ReconcileFailure.status(cluster,
                new RuntimeException("wrapped", new IOException("connection refused")), NOW);

        var ready = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
        assertThat(ready.getReason()).isEqualTo(ReconcileFailure.REASON_RECONCILE_FAILED);
        assertThat(ready.getMessage()).isEqualTo("IOException: connection refused");
        assertThat(status.getClusterId()).isEqualTo("abc");
        assertThat(status.getVoters()).containsExactly(0, 1, 2);
        assertThat(status.getReadyReplicas()).isEqualTo(3);
    }

    private static KafkaCluster cluster() {
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("c").withNamespace("ns").withGeneration(4L).build());
        cluster.setSpec(new KafkaClusterSpec());
        return cluster;
    }
}
