package io.strand.operator.cluster;

import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.MonitoringModel;

/**
 * The brokers' PodMonitor, for the Prometheus Operator to scrape /metrics. Active only where its CRD exists (JOSDK's
 * CRDPresentActivationCondition, declared on the workflow), and only while the cluster's metrics are on (the
 * precondition); when they are turned off the PodMonitor is deleted. A typed resource (fabric8's monitoring model)
 * rather than a generic one: JOSDK builds the event source even for an inactive dependent, and a generic one would need
 * API discovery of a resource that may not exist.
 */
@KubernetesDependent(informer = @Informer(labelSelector = KafkaClusterReconciler.MANAGED_SELECTOR))
public class PodMonitorDependent extends OwnedDependent<PodMonitor> {

    public PodMonitorDependent() {
        super(PodMonitor.class);
    }

    @Override
    protected PodMonitor desired(KafkaCluster cluster, Context<KafkaCluster> context) {
        return MonitoringModel.podMonitor(cluster);
    }

    /** Reconcile precondition: metrics on. */
    public static class MetricsEnabled implements Condition<PodMonitor, KafkaCluster> {
        @Override
        public boolean isMet(DependentResource<PodMonitor, KafkaCluster> dependent, KafkaCluster cluster, Context<KafkaCluster> context) {
            return MonitoringModel.metricsEnabled(cluster);
        }
    }
}
