package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.ServiceModel;

/** The clients' bootstrap Service. */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class BootstrapServiceDependent extends OwnedDependent<Service> {

    public BootstrapServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return ServiceModel.bootstrap(cluster);
    }
}
