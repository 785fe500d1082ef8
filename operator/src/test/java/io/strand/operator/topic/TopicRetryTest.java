package io.strand.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.strand.operator.api.TopicStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicRetryTest {

    @Test
    void refusalsThatMayDependOnTheClustersStateAreRetriedSoonOthersWaitForTheirEvents() {
        assertThat(TopicReconciler.retriesSoon(status("False", TopicReconciler.REJECTED)))
                .as("e.g. replication factor above the brokers registered so far").isTrue();
        assertThat(TopicReconciler.retriesSoon(status("False", TopicReconciler.CLUSTER_NOT_FOUND))).isTrue();
        assertThat(TopicReconciler.retriesSoon(status("True", TopicReconciler.READY_REASON))).isFalse();
        assertThat(TopicReconciler.retriesSoon(status("False", TopicReconciler.RESOURCE_CONFLICT)))
                .as("changes only with another Topic resource, which is an event").isFalse();
        assertThat(TopicReconciler.retriesSoon(new TopicStatus())).isFalse();
    }

    private static TopicStatus status(String ready, String reason) {
        TopicStatus status = new TopicStatus();
        status.setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus(ready).withReason(reason).build()));
        return status;
    }
}
