package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterStatus;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.status.ClusterStatusModel;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Turns a KafkaCluster into its Kubernetes objects. The objects are JOSDK dependents, one class each, created in the
 * order below (the StatefulSet last among those its pods need); this class only reads what exists and writes the
 * status.
 */
@ControllerConfiguration(name = KafkaClusterReconciler.NAME)
@Workflow(dependents = {
        @Dependent(name = "service-account", type = ServiceAccountDependent.class),
        @Dependent(name = "broker-config", type = BrokerConfigDependent.class),
        @Dependent(name = "headless-service", type = HeadlessServiceDependent.class),
        @Dependent(name = "bootstrap-service", type = BootstrapServiceDependent.class),
        @Dependent(name = "brokers", type = StatefulSetDependent.class,
                dependsOn = {"service-account", "broker-config", "headless-service"}),
        @Dependent(name = "disruption-budget", type = PodDisruptionBudgetDependent.class),
})
public class KafkaClusterReconciler implements Reconciler<KafkaCluster> {

    public static final String NAME = "kafkacluster";
    /** The dependents' informers watch only what this operator created. */
    static final String MANAGED_SELECTOR = ClusterResources.MANAGED_BY_LABEL + "=" + ClusterResources.MANAGED_BY;

    private final Clock clock;

    public KafkaClusterReconciler() {
        this(Clock.systemUTC());
    }

    KafkaClusterReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<KafkaCluster> reconcile(KafkaCluster cluster, Context<KafkaCluster> context) {
        List<Integer> voters = ClusterVoters.of(cluster, context);
        KafkaClusterStatus status = ClusterStatusModel.compute(cluster, context.getSecondaryResource(StatefulSet.class),
                voters, clock.instant());
        if (Objects.equals(status, cluster.getStatus())) {
            return UpdateControl.noUpdate();
        }
        // a fresh object with only identity and status: never send back (or mutate) the cached resource
        KafkaCluster patch = new KafkaCluster();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return UpdateControl.patchStatus(patch);
    }
}
