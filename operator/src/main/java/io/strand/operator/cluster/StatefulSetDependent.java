package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.cluster.lifecycle.LifecyclePlanner;
import io.strand.operator.model.BrokerConfigModel;
import io.strand.operator.model.StatefulSetModel;
import java.util.List;

/**
 * The brokers' StatefulSet, stamped with the hash of the configuration its pods should run. A bigger storage size
 * re-creates it around its pods ({@link StorageGrowth}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class StatefulSetDependent extends OwnedDependent<StatefulSet> {

    public StatefulSetDependent() {
        super(StatefulSet.class);
    }

    @Override
    protected StatefulSet desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        List<Integer> voters = ClusterVoters.of(cluster, context);
        // the hash of the desired ConfigMap, not the stored one: the workflow writes the ConfigMap first, and a
        // stale informer copy must not stamp pods with the previous configuration's hash
        ConfigMap config = BrokerConfigModel.configMap(cluster, voters);
        StatefulSet desired = StatefulSetModel.statefulSet(cluster, voters, Settings.current(), BrokerConfigModel.configHash(config));
        // a scale-down waits until the brokers that go hold no replica (LifecyclePlanner); a scale-up never waits
        // through the context like ClusterVoters: the dependent's own lookup goes by desired(), which would recurse
        Integer current = context.getSecondaryResource(StatefulSet.class).map(s -> s.getSpec().getReplicas()).orElse(null);
        desired.getSpec().setReplicas(LifecyclePlanner.statefulSetReplicas(desired.getSpec().getReplicas(), current,
                cluster.getStatus() == null ? null : cluster.getStatus().getDrain()));
        return desired;
    }

    @Override
    public StatefulSet update(StatefulSet actual, StatefulSet desired, KafkaCluster cluster, Context<KafkaCluster> context) {
        if (StorageGrowth.grows(actual, desired)) {
            // claim templates are immutable: grow the claims, then re-create the StatefulSet around its running pods
            StorageGrowth.growClaims(context.getClient(), actual, StorageGrowth.claimSize(desired).orElseThrow());
            StorageGrowth.orphanStatefulSet(context.getClient(), actual);
            return create(desired, cluster, context);
        }
        return super.update(actual, desired, cluster, context);
    }
}
