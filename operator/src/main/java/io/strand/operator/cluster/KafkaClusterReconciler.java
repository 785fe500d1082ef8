package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import jakarta.inject.Inject;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterStatus;
import io.strand.operator.cluster.lifecycle.Action;
import io.strand.operator.cluster.lifecycle.KafkaObserver;
import io.strand.operator.cluster.lifecycle.KafkaState;
import io.strand.operator.cluster.lifecycle.LifecycleExecutor;
import io.strand.operator.cluster.lifecycle.LifecyclePlanner;
import io.strand.operator.cluster.lifecycle.Observation;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.strand.operator.cluster.lifecycle.Plan;
import io.strand.operator.cluster.lifecycle.PodObserver;
import io.strand.operator.kafka.BootstrapAdminFactory;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.model.ClusterResources;
import io.strand.operator.model.Voters;
import io.strand.operator.status.ClusterStatusModel;
import io.strand.operator.status.Conditions;
import io.strand.operator.status.ReconcileFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * Turns a KafkaCluster into its Kubernetes objects and runs its lifecycle. The objects are JOSDK dependents, one class
 * each, created in the order below (the StatefulSet last among those its pods need). This class observes the pods and
 * the brokers, lets {@link LifecyclePlanner} decide the one next step (drain, unregister, restart a pod, rebalance),
 * carries it out and writes the status.
 */
@ControllerConfiguration(name = KafkaClusterReconciler.NAME)
@Workflow(dependents = {
        @Dependent(name = "service-account", type = ServiceAccountDependent.class),
        @Dependent(name = "broker-config", type = BrokerConfigDependent.class),
        @Dependent(name = "headless-service", type = HeadlessServiceDependent.class),
        @Dependent(name = "bootstrap-service", type = BootstrapServiceDependent.class),
        @Dependent(name = "tunnel-service", type = TunnelServiceDependent.class,
                reconcilePrecondition = TunnelServiceDependent.TunnelListenerPresent.class),
        @Dependent(name = "brokers", type = StatefulSetDependent.class,
                dependsOn = {"service-account", "broker-config", "headless-service"}),
        @Dependent(name = "disruption-budget", type = PodDisruptionBudgetDependent.class),
        @Dependent(name = "pod-monitor", type = PodMonitorDependent.class,
                activationCondition = CRDPresentActivationCondition.class,
                reconcilePrecondition = PodMonitorDependent.MetricsEnabled.class),
})
public class KafkaClusterReconciler implements Reconciler<KafkaCluster> {

    public static final String NAME = "kafkacluster";
    /** The dependents' informers watch only what this operator created. */
    static final String MANAGED_SELECTOR = ClusterResources.MANAGED_BY_LABEL + "=" + ClusterResources.MANAGED_BY;
    /** While work is under way: pod and broker changes are not all events this reconciler receives. */
    static final Duration BUSY_RESYNC = Duration.ofSeconds(3);
    /** At rest: brokers can fail without any Kubernetes object changing, and BrokerUnhealthy must notice. */
    static final Duration IDLE_RESYNC = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger(KafkaClusterReconciler.class);

    private final Clock clock;
    private final KafkaAdminFactory admins;

    public KafkaClusterReconciler() {
        this(Clock.systemUTC(), new BootstrapAdminFactory());
    }

    @Inject
    public KafkaClusterReconciler(KafkaAdminFactory admins) {
        this(Clock.systemUTC(), admins);
    }

    KafkaClusterReconciler(Clock clock, KafkaAdminFactory admins) {
        this.clock = clock;
        this.admins = admins;
    }

    @Override
    public UpdateControl<KafkaCluster> reconcile(KafkaCluster cluster, Context<KafkaCluster> context) {
        List<Integer> voters = ClusterVoters.of(cluster, context);
        Optional<StatefulSet> sts = context.getSecondaryResource(StatefulSet.class);
        Plan plan = sts.isEmpty() ? LifecyclePlanner.plan(observation(cluster, voters, sts, List.of(), Optional.empty(), null))
                : runLifecycle(cluster, context, voters, sts);
        KafkaClusterStatus status = ClusterStatusModel.compute(cluster, sts, voters, clock.instant(), plan);
        Duration resync = plan.busy() ? BUSY_RESYNC : IDLE_RESYNC;
        if (Objects.equals(status, cluster.getStatus())) {
            return UpdateControl.<KafkaCluster>noUpdate().rescheduleAfter(resync);
        }
        return UpdateControl.patchStatus(statusPatch(cluster, status)).rescheduleAfter(resync);
    }

    /**
     * A failed pass (an object the API server refused, an unreachable API server): the reason goes into the status
     * conditions, where users look, between JOSDK's retries.
     */
    @Override
    public ErrorStatusUpdateControl<KafkaCluster> updateErrorStatus(KafkaCluster cluster, Context<KafkaCluster> context, Exception e) {
        KafkaClusterStatus status = ReconcileFailure.status(cluster, e, clock.instant());
        LOG.warnf("KafkaCluster %s/%s: reconcile failed (%s): %s", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
                Conditions.find(status.getConditions(), Conditions.READY).map(c -> c.getReason()).orElse("?"),
                Conditions.find(status.getConditions(), Conditions.READY).map(c -> c.getMessage()).orElse(""));
        return Objects.equals(status, cluster.getStatus()) ? ErrorStatusUpdateControl.noStatusUpdate()
                : ErrorStatusUpdateControl.patchStatus(statusPatch(cluster, status));
    }

    /** A fresh object with only identity and status: never send back (or mutate) the cached resource. */
    private static KafkaCluster statusPatch(KafkaCluster cluster, KafkaClusterStatus status) {
        KafkaCluster patch = new KafkaCluster();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }

    private Plan runLifecycle(KafkaCluster cluster, Context<KafkaCluster> context, List<Integer> voters, Optional<StatefulSet> sts) {
        String name = ClusterResources.name(cluster);
        String namespace = ClusterResources.namespace(cluster);
        // listed, not cached: a pod just deleted must not look Ready to the next reconcile
        List<Pod> pods = context.getClient().pods().inNamespace(namespace).withLabels(ClusterResources.selectorLabels(name))
                .list().getItems();
        Admin admin = null;
        Optional<KafkaState> kafka = Optional.empty();
        String kafkaError = null;
        try {
            admin = admins.create(cluster);
            kafka = Optional.of(KafkaObserver.observe(admin));
        } catch (Exception e) {
            kafkaError = rootMessage(e);
            LOG.debugf("KafkaCluster %s/%s: brokers unreachable: %s", namespace, name, kafkaError);
        }
        try {
            Plan plan = LifecyclePlanner.plan(observation(cluster, voters, sts, pods, kafka, kafkaError));
            try {
                LifecycleExecutor.execute(plan.action(), name, namespace, admin, context.getClient());
            } catch (Exception e) {
                LOG.warnf("KafkaCluster %s/%s: %s failed: %s", namespace, name, plan.action(), rootMessage(e));
                return withProgressNote(plan, "last step failed: " + rootMessage(e));
            }
            return plan;
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }

    private Observation observation(KafkaCluster cluster, List<Integer> voters, Optional<StatefulSet> sts, List<Pod> pods,
            Optional<KafkaState> kafka, String kafkaError) {
        Instant now = clock.instant();
        Integer replicas = sts.map(s -> s.getSpec().getReplicas()).orElse(null);
        String templateHash = sts.map(s -> s.getSpec().getTemplate().getMetadata()).map(m -> m.getAnnotations())
                .map(a -> a.get(ClusterResources.CONFIG_HASH_ANNOTATION)).orElse(null);
        return new Observation(Voters.effectiveReplicas(Optional.ofNullable(cluster.getSpec().getReplicas()).orElse(3), voters), voters, replicas, templateHash,
                PodObserver.states(pods, now), kafka, kafkaError, cluster.getStatus() == null ? null : cluster.getStatus().getDrain(), now);
    }

    private static Plan withProgressNote(Plan plan, String note) {
        String progress = plan.progress() == null ? note : plan.progress() + " (" + note + ")";
        return new Plan(Action.NONE, plan.progressReason() == null ? "Retrying" : plan.progressReason(), progress,
                plan.warningReason(), plan.warning(), plan.drain(), plan.clusterId());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
