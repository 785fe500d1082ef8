package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.PolicyModel;

/** The brokers' ServiceAccount. */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class ServiceAccountDependent extends OwnedDependent<ServiceAccount> {

    public ServiceAccountDependent() {
        super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return PolicyModel.serviceAccount(cluster);
    }
}
