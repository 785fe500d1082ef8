package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.BrokerConfigModel;
import io.strand.operator.model.Voters;
import java.util.List;

/** The voters of a cluster as the reconciler and every dependent must agree on them (see {@link Voters}). */
final class ClusterVoters {

    private ClusterVoters() {
    }

    static List<Integer> of(KafkaCluster cluster, Context<KafkaCluster> context) {
        List<Integer> recorded = cluster.getStatus() == null ? null : cluster.getStatus().getVoters();
        Integer replicas = cluster.getSpec().getReplicas();
        return Voters.decide(recorded,
                context.getSecondaryResource(ConfigMap.class).flatMap(BrokerConfigModel::quorumVoters),
                replicas == null ? 3 : replicas);
    }
}
