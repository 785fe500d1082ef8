package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.PolicyModel;

/** The brokers' PodDisruptionBudget. */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class PodDisruptionBudgetDependent extends OwnedDependent<PodDisruptionBudget> {

    public PodDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return PolicyModel.podDisruptionBudget(cluster);
    }
}
