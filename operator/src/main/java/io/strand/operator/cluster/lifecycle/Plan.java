package io.strand.operator.cluster.lifecycle;

import io.strand.operator.api.KafkaClusterDrainStatus;

/**
 * The planner's decision: one action, the drain state to remember, and what the status should say.
 *
 * @param progress null when the cluster needs no lifecycle work, else what is going on ("draining brokers 3,4")
 * @param progressReason the Reconciling condition's reason while {@code progress} is set
 * @param warningReason null, or a Warning condition reason ({@code ScaleDownBlocked}, {@code RollInProgress},
 *     {@code BrokerUnhealthy})
 * @param drain what to store in {@code status.drain}; null when no scale-down is under way
 */
public record Plan(Action action, String progressReason, String progress, String warningReason, String warning,
        KafkaClusterDrainStatus drain, String clusterId) {

    public boolean busy() {
        return progress != null;
    }
}
