package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.ServiceModel;

/** The headless Service that names each broker pod. Two Service dependents: each finds its own object by the desired name. */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class HeadlessServiceDependent extends OwnedDependent<Service> {

    public HeadlessServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return ServiceModel.headless(cluster);
    }
}
