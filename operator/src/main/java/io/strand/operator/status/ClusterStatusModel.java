package io.strand.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterStatus;
import io.strand.operator.model.Listeners;
import io.strand.operator.cluster.lifecycle.Action;
import io.strand.operator.cluster.lifecycle.Plan;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Voters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A KafkaCluster's status from what the cluster shows: a pure function of the resource, its StatefulSet as last seen
 * and the quorum's voters. Readiness comes from the StatefulSet's {@code readyReplicas}, which follows the brokers'
 * readiness probes.
 */
public final class ClusterStatusModel {

    /** Reasons, for conditions and for people and scripts reading them. */
    public static final String REASON_READY = "Ready";
    public static final String REASON_BROKERS_NOT_READY = "BrokersNotReady";
    public static final String REASON_STATEFUL_SET_MISSING = "Creating";
    public static final String REASON_RECONCILED = "Reconciled";
    /** Pods run an older template than the StatefulSet's (they are replaced only when deleted: OnDelete). */
    public static final String REASON_ROLL_PENDING = "RollPending";
    public static final String REASON_SCALE_DOWN_BLOCKED = "ScaleDownBlocked";
    public static final String REASON_NO_WARNINGS = "NoWarnings";

    private ClusterStatusModel() {
    }

    private static final Plan IDLE = new Plan(Action.NONE, null, null, null, null, null, null);

    public static KafkaClusterStatus compute(KafkaCluster cluster, Optional<StatefulSet> statefulSet, List<Integer> voters, Instant now) {
        return compute(cluster, statefulSet, voters, now, IDLE);
    }

    /**
     * @param plan the lifecycle planner's decision: its progress shows in Reconciling, its warning (unless the voters
     *     block a scale-down, which says more) in Warning, and it carries the drain state and the cluster id
     */
    public static KafkaClusterStatus compute(KafkaCluster cluster, Optional<StatefulSet> statefulSet, List<Integer> voters, Instant now,
            Plan plan) {
        String name = ClusterResources.name(cluster);
        long generation = Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L);
        KafkaClusterStatus previous = cluster.getStatus() == null ? new KafkaClusterStatus() : cluster.getStatus();
        int requested = Optional.ofNullable(cluster.getSpec().getReplicas()).orElse(3);
        int wanted = Voters.effectiveReplicas(requested, voters);
        // a StatefulSet held above the spec (brokers still draining, or a scale-down refused) is what must be ready
        Integer held = statefulSet.map(StatefulSet::getSpec).map(s -> s.getReplicas()).orElse(null);
        int target = held != null && held > wanted ? held : wanted;

        StatefulSetStatus sts = statefulSet.map(StatefulSet::getStatus).orElse(null);
        int current = sts == null || sts.getReplicas() == null ? 0 : sts.getReplicas();
        int ready = sts == null || sts.getReadyReplicas() == null ? 0 : sts.getReadyReplicas();
        // the StatefulSet controller has not acted on our last change until it reports that generation as observed
        boolean stsCaughtUp = statefulSet.isPresent() && sts != null && sts.getObservedGeneration() != null
                && sts.getObservedGeneration() >= Optional.ofNullable(statefulSet.get().getMetadata().getGeneration()).orElse(0L);
        boolean allReady = stsCaughtUp && current == target && ready == target;

        String readyReason;
        String readyMessage;
        if (statefulSet.isEmpty()) {
            readyReason = REASON_STATEFUL_SET_MISSING;
            readyMessage = "the brokers' StatefulSet " + ClusterResources.statefulSetName(name) + " does not exist yet";
        } else if (allReady) {
            readyReason = REASON_READY;
            readyMessage = ready + "/" + target + " brokers ready";
        } else {
            readyReason = REASON_BROKERS_NOT_READY;
            readyMessage = ready + "/" + target + " brokers ready";
        }

        boolean blocked = requested < wanted;
        int outdated = sts == null || sts.getUpdatedReplicas() == null || Objects.equals(sts.getCurrentRevision(), sts.getUpdateRevision())
                ? 0 : Math.max(0, current - sts.getUpdatedReplicas());
        String warningReason = REASON_NO_WARNINGS;
        String warningMessage = "";
        if (blocked) {
            warningReason = REASON_SCALE_DOWN_BLOCKED;
            warningMessage = "spec.replicas " + requested + " would remove quorum voters " + voters + "; keeping " + wanted
                    + " brokers (removing voters is not supported yet)";
        } else if (plan.warningReason() != null) {
            warningReason = plan.warningReason();
            warningMessage = plan.warning();
        } else if (outdated > 0) {
            warningReason = REASON_ROLL_PENDING;
            warningMessage = outdated + " broker pod(s) run an older pod template; they are restarted one at a time once"
                    + " the brokers are reachable and every partition is in sync";
        }

        List<Condition> conditions = List.of(
                Conditions.next(previous.getConditions(), Conditions.READY, allReady, readyReason, readyMessage, generation, now),
                Conditions.next(previous.getConditions(), Conditions.RECONCILING, !allReady || plan.busy(),
                        plan.busy() ? plan.progressReason() : allReady ? REASON_RECONCILED : readyReason,
                        plan.busy() ? plan.progress() : allReady ? "" : readyMessage, generation, now),
                Conditions.next(previous.getConditions(), Conditions.WARNING, !REASON_NO_WARNINGS.equals(warningReason),
                        warningReason, warningMessage, generation, now));

        KafkaClusterStatus status = new KafkaClusterStatus();
        status.setObservedGeneration(generation);
        status.setConditions(new ArrayList<>(conditions));
        status.setReplicas(current);
        status.setReadyReplicas(ready);
        status.setLabelSelector(ClusterResources.labelSelector(name));
        status.setBootstrapAddress(ClusterResources.bootstrapAddress(name, ClusterResources.namespace(cluster), Listeners.internalPort(cluster)));
        status.setClusterId(plan.clusterId() != null ? plan.clusterId() : previous.getClusterId());
        status.setDrain(plan.drain());
        status.setVoters(List.copyOf(voters));
        return status;
    }
}
