package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.strand.operator.api.KafkaCluster;

/**
 * A dependent object of a KafkaCluster. JOSDK's own owner reference has no {@code controller} flag; ours sets it, so
 * {@code kubectl describe} and other tools show the KafkaCluster as the object's controller, and no other controller
 * can adopt it. {@code blockOwnerDeletion} stays unset: it would need update rights on kafkaclusters/finalizers.
 */
abstract class OwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, KafkaCluster> {

    OwnedDependent(Class<R> type) {
        super(type);
    }

    @Override
    protected void addReferenceHandlingMetadata(R desired, KafkaCluster cluster) {
        setControllerReference(desired, cluster);
    }

    static void setControllerReference(HasMetadata desired, KafkaCluster cluster) {
        desired.getMetadata().setOwnerReferences(null);
        desired.addOwnerReference(new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .withController(true)
                .build());
    }
}
