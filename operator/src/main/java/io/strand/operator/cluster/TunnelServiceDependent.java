package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Listeners;
import io.strand.operator.model.ServiceModel;

/**
 * The Service for single-port access, present only while the cluster has a tunnel listener (the precondition); when
 * the listener is removed, JOSDK deletes it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class TunnelServiceDependent extends OwnedDependent<Service> {

    public TunnelServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return ServiceModel.tunnel(cluster).orElseThrow(
                () -> new IllegalStateException("no tunnel listener in " + ClusterResources.name(cluster)));
    }

    /**
     * Which of the cluster's Services is this one, by name: the default asks {@link #desired}, which has nothing to say
     * when the listener was just removed and the Service must be found to be deleted.
     */
    @Override
    protected ResourceID targetSecondaryResourceID(KafkaCluster cluster, Context<KafkaCluster> context) {
        return new ResourceID(ClusterResources.tunnelServiceName(ClusterResources.name(cluster)), ClusterResources.namespace(cluster));
    }

    /** Reconcile precondition: the cluster has a tunnel listener. */
    public static class TunnelListenerPresent implements Condition<Service, KafkaCluster> {
        @Override
        public boolean isMet(DependentResource<Service, KafkaCluster> dependent, KafkaCluster cluster, Context<KafkaCluster> context) {
            return Listeners.tunnel(cluster).isPresent();
        }
    }
}
