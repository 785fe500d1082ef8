package io.strand.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.strand.operator.api.KafkaCluster;

/** The small objects around the brokers: their disruption budget and their service account. */
public final class PolicyModel {

    private PolicyModel() {
    }

    /**
     * One broker down at a time during node drains: with replication factor 3 and min.insync.replicas 2, a second
     * broker down would stop acks=all producers on the partitions the two share.
     */
    public static PodDisruptionBudget podDisruptionBudget(KafkaCluster cluster) {
        String name = ClusterResources.name(cluster);
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.podDisruptionBudgetName(name))
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withNewSpec()
                    .withMaxUnavailable(new IntOrString(1))
                    .withNewSelector().withMatchLabels(ClusterResources.selectorLabels(name)).endSelector()
                .endSpec()
                .build();
    }

    /**
     * The brokers' own identity, so RBAC can be granted to them alone later (the rack-awareness init step will need to
     * read Nodes). They do not call the API today, hence no token is mounted.
     */
    public static ServiceAccount serviceAccount(KafkaCluster cluster) {
        String name = ClusterResources.name(cluster);
        return new ServiceAccountBuilder()
                .withNewMetadata()
                    .withName(ClusterResources.serviceAccountName(name))
                    .withNamespace(ClusterResources.namespace(cluster))
                    .withLabels(ClusterResources.labels(name))
                .endMetadata()
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
