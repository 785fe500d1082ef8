package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.BrokerConfigModel;

/** The ConfigMap holding the brokers' server.properties. */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class BrokerConfigDependent extends OwnedDependent<ConfigMap> {

    public BrokerConfigDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return BrokerConfigModel.configMap(cluster, ClusterVoters.of(cluster, context));
    }
}
