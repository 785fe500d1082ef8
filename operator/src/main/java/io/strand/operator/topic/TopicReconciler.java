package io.strand.operator.topic;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Topic;
import io.strand.operator.api.TopicSpec;
import io.strand.operator.api.TopicStatus;
import io.strand.operator.kafka.KafkaAdminFactory;
import io.strand.operator.status.Conditions;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a Topic resource's topic exist on its KafkaCluster as the spec says. Kubernetes is the source of truth, and
 * brokers send no events, so the reconciler also runs every {@code maxReconciliationInterval} to revert changes made
 * directly on the brokers. Reasons of the {@code Ready} condition: {@value #READY_REASON}, {@value #CLUSTER_NOT_FOUND},
 * {@value #CLUSTER_UNREACHABLE}, {@value #RESOURCE_CONFLICT}, {@value #NOT_SUPPORTED}, {@value #REJECTED},
 * {@value #INVALID_SPEC}, {@value #ERROR}.
 */
@ControllerConfiguration(name = TopicReconciler.NAME,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 2, timeUnit = TimeUnit.MINUTES))
// Unlimited attempts, capped at 5 minutes apart: an unreachable cluster is retried for as long as it lasts, and a
// finalizer that cannot delete its topic yet keeps trying instead of giving up with the resource stuck.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2, maxInterval = 300_000)
public class TopicReconciler implements Reconciler<Topic>, Cleaner<Topic> {

    public static final String NAME = "topic";
    /** {@value #KEEP} on a Topic keeps the Kafka topic when the resource is deleted; anything else but "delete" too. */
    public static final String DELETE_POLICY_ANNOTATION = "strand.io/delete-policy";
    public static final String KEEP = "keep";
    public static final String DELETE = "delete";

    public static final String READY_REASON = "Ready";
    public static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
    public static final String CLUSTER_UNREACHABLE = "ClusterUnreachable";
    public static final String RESOURCE_CONFLICT = "ResourceConflict";
    public static final String NOT_SUPPORTED = "NotSupported";
    public static final String REJECTED = "Rejected";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String ERROR = "Error";

    static final String CLAIM_INDEX = "topic-claim";
    static final String CLUSTER_INDEX = "topic-cluster";
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REFUSED_RETRY = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(TopicReconciler.class);

    private final KafkaAdminFactory admins;
    private final Clock clock;

    @Inject
    public TopicReconciler(KafkaAdminFactory admins) {
        this(admins, Clock.systemUTC());
    }

    TopicReconciler(KafkaAdminFactory admins, Clock clock) {
        this.admins = admins;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, Topic>> prepareEventSources(EventSourceContext<Topic> context) {
        var topics = context.getPrimaryCache();
        topics.addIndexers(Map.of(
                CLAIM_INDEX, t -> List.of(TopicClaims.key(t)),
                CLUSTER_INDEX, t -> List.of(clusterKey(t.getMetadata().getNamespace(), clusterRef(t)))));

        // a cluster appearing, going away or becoming ready changes what its topics can do right now
        var clusters = InformerEventSourceConfiguration.from(KafkaCluster.class, Topic.class)
                .withName("clusters")
                .<Topic>withPrimaryToSecondaryMapper(t -> Set.of(new ResourceID(clusterRef(t), t.getMetadata().getNamespace())))
                .withSecondaryToPrimaryMapper(c -> ids(topics.byIndex(CLUSTER_INDEX,
                        clusterKey(c.getMetadata().getNamespace(), c.getMetadata().getName())), null))
                .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getDeletionTimestamp(),
                        before.getMetadata().getDeletionTimestamp()) || ready(now) != ready(before))
                .build();
        // the owner of a contested topic going away hands the topic to the next claimant, which should not wait for
        // the periodic pass to notice; nothing else about a sibling changes who owns what
        var siblings = InformerEventSourceConfiguration.from(Topic.class, Topic.class)
                .withName("sibling-topics")
                .withSecondaryToPrimaryMapper(t -> ids(topics.byIndex(CLAIM_INDEX, TopicClaims.key(t)), t))
                .withOnAddFilter(t -> false)
                .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getDeletionTimestamp(),
                        before.getMetadata().getDeletionTimestamp()))
                .build();
        return List.of(new InformerEventSource<>(clusters, context), new InformerEventSource<>(siblings, context));
    }

    @Override
    public UpdateControl<Topic> reconcile(Topic topic, Context<Topic> context) {
        TopicSpec spec = topic.getSpec();
        if (spec == null || spec.getClusterRef() == null) {
            return patch(topic, status(topic, false, INVALID_SPEC, "spec.clusterRef is required", null, null, null));
        }
        String name = topic.topicName();
        Optional<Topic> owner = TopicClaims.owner(topic, context.getPrimaryCache().byIndex(CLAIM_INDEX, TopicClaims.key(topic)));
        if (owner.isPresent() && !TopicClaims.sameResource(owner.get(), topic)) {
            return patch(topic, status(topic, false, RESOURCE_CONFLICT, "topic '" + name + "' on KafkaCluster '"
                    + spec.getClusterRef() + "' is managed by Topic '" + owner.get().getMetadata().getName()
                    + "', the oldest resource naming it", null, null, null));
        }
        TopicStatus previous = topic.getStatus();
        Optional<KafkaCluster> cluster = liveCluster(context);
        if (cluster.isEmpty()) {
            return patch(topic, status(topic, false, CLUSTER_NOT_FOUND, "KafkaCluster '" + spec.getClusterRef()
                    + "' not found in namespace '" + topic.getMetadata().getNamespace() + "'",
                    previous == null ? null : previous.getTopicId(), previous == null ? null : previous.getPartitions(),
                    managed(topic)));
        }
        Admin admin = connect(cluster.get());
        try {
            return patch(topic, converge(topic, new TopicAdmin(admin, spec.getClusterRef())));
        } finally {
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    private TopicStatus converge(Topic topic, TopicAdmin topics) {
        TopicSpec spec = topic.getSpec();
        String name = topic.topicName();
        List<String> previouslyManaged = managed(topic);
        Optional<TopicAdmin.Description> existing = topics.describe(name);
        try {
            if (existing.isEmpty()) {
                TopicAdmin.Description created = topics.create(name, spec);
                LOG.info("created topic {} on {}/{}", name, topic.getMetadata().getNamespace(), spec.getClusterRef());
                return status(topic, true, READY_REASON, "topic created", created.topicId(),
                        created.actual().partitions(), TopicDiff.managedAfter(spec));
            }
            TopicAdmin.Description described = existing.get();
            TopicDiff diff = TopicDiff.between(spec, described.actual(), previouslyManaged);
            if (!diff.set().isEmpty() || !diff.delete().isEmpty()) {
                topics.alterConfigs(name, diff.set(), diff.delete());
                LOG.info("topic {}: set {} and deleted {}", name, diff.set().keySet(), diff.delete());
            }
            int partitions = described.actual().partitions();
            if (diff.increasePartitionsTo() != null) {
                topics.increasePartitions(name, diff.increasePartitionsTo());
                partitions = diff.increasePartitionsTo();
                LOG.info("topic {}: increased to {} partitions", name, partitions);
            }
            List<String> managed = TopicDiff.managedAfter(spec);
            if (!diff.notSupported().isEmpty()) {
                return status(topic, false, NOT_SUPPORTED, String.join("; ", diff.notSupported()),
                        described.topicId(), partitions, managed);
            }
            return status(topic, true, READY_REASON, "topic matches the spec", described.topicId(), partitions, managed);
        } catch (TopicAdmin.Rejected e) {
            TopicStatus previous = topic.getStatus();
            return status(topic, false, REJECTED, e.getMessage(),
                    existing.map(TopicAdmin.Description::topicId).orElse(null),
                    existing.map(d -> d.actual().partitions()).orElse(previous == null ? null : previous.getPartitions()),
                    TopicDiff.managedPending(spec, previouslyManaged));
        }
    }

    /** Unreachable brokers end up here, between JOSDK's retries: say so in the status, keep what was known. */
    @Override
    public ErrorStatusUpdateControl<Topic> updateErrorStatus(Topic topic, Context<Topic> context, Exception e) {
        boolean unreachable = e instanceof TopicAdmin.Unavailable;
        String message = unreachable ? e.getMessage() : "reconcile failed: " + e;
        TopicStatus previous = topic.getStatus();
        TopicStatus status = status(topic, false, unreachable ? CLUSTER_UNREACHABLE : ERROR, message,
                previous == null ? null : previous.getTopicId(), previous == null ? null : previous.getPartitions(),
                managed(topic));
        return Objects.equals(status, previous) ? ErrorStatusUpdateControl.noStatusUpdate()
                : ErrorStatusUpdateControl.patchStatus(statusPatch(topic, status));
    }

    @Override
    public DeleteControl cleanup(Topic topic, Context<Topic> context) {
        String policy = deletePolicy(topic);
        if (!DELETE.equals(policy)) {
            if (!KEEP.equals(policy)) {
                LOG.warn("Topic {}/{}: unknown {} '{}', keeping the topic", topic.getMetadata().getNamespace(),
                        topic.getMetadata().getName(), DELETE_POLICY_ANNOTATION, policy);
            }
            return DeleteControl.defaultDelete();
        }
        if (topic.getSpec() == null || topic.getSpec().getClusterRef() == null
                || !TopicClaims.mayDeleteTopic(topic, context.getPrimaryCache().byIndex(CLAIM_INDEX, TopicClaims.key(topic)))) {
            return DeleteControl.defaultDelete();
        }
        Optional<KafkaCluster> cluster = liveCluster(context);
        if (cluster.isEmpty()) {
            // the brokers go with their cluster: waiting for them would only leave this resource (and its namespace)
            // stuck in deletion for good
            LOG.info("Topic {}/{}: KafkaCluster {} is gone, nothing to delete", topic.getMetadata().getNamespace(),
                    topic.getMetadata().getName(), topic.getSpec().getClusterRef());
            return DeleteControl.defaultDelete();
        }
        Admin admin = connect(cluster.get());
        try {
            // an unreachable cluster throws here: the finalizer stays and JOSDK retries with backoff
            new TopicAdmin(admin, topic.getSpec().getClusterRef()).delete(topic.topicName());
            LOG.info("deleted topic {} on {}/{}", topic.topicName(), topic.getMetadata().getNamespace(),
                    topic.getSpec().getClusterRef());
        } finally {
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
        return DeleteControl.defaultDelete();
    }

    static String deletePolicy(Topic topic) {
        Map<String, String> annotations = topic.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(DELETE_POLICY_ANNOTATION);
        return value == null || value.isBlank() ? DELETE : value.trim().toLowerCase(Locale.ROOT);
    }

    private Admin connect(KafkaCluster cluster) {
        try {
            return admins.create(cluster);
        } catch (RuntimeException e) {
            // e.g. the bootstrap name does not resolve yet: the same kind of trouble as a broker not answering
            throw TopicAdmin.classify("connect", cluster.getMetadata().getName(), e);
        }
    }

    private static Optional<KafkaCluster> liveCluster(Context<Topic> context) {
        return context.getSecondaryResource(KafkaCluster.class).filter(c -> c.getMetadata().getDeletionTimestamp() == null);
    }

    private TopicStatus status(Topic topic, boolean ready, String reason, String message, String topicId,
            Integer partitions, List<String> managedConfig) {
        long generation = Objects.requireNonNullElse(topic.getMetadata().getGeneration(), 0L);
        TopicStatus previous = topic.getStatus();
        TopicStatus status = new TopicStatus();
        status.setObservedGeneration(generation);
        status.setConditions(List.of(Conditions.next(previous == null ? null : previous.getConditions(),
                Conditions.READY, ready, reason, message, generation, clock.instant())));
        status.setTopicId(topicId);
        status.setPartitions(partitions);
        status.setManagedConfig(managedConfig == null || managedConfig.isEmpty() ? null : managedConfig);
        return status;
    }

    private static UpdateControl<Topic> patch(Topic topic, TopicStatus status) {
        UpdateControl<Topic> control = Objects.equals(status, topic.getStatus()) ? UpdateControl.noUpdate()
                : UpdateControl.patchStatus(statusPatch(topic, status));
        return retriesSoon(status) ? control.rescheduleAfter(REFUSED_RETRY) : control;
    }

    /**
     * What the brokers refused can depend on the cluster's state rather than the spec (a replication factor above the
     * brokers registered so far, while a new cluster's brokers are still joining; a cluster not created yet), and no
     * Kubernetes event announces the change: such a topic is tried again soon, not only at the periodic pass.
     */
    static boolean retriesSoon(TopicStatus status) {
        return status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus())
                        && (REJECTED.equals(c.getReason()) || CLUSTER_NOT_FOUND.equals(c.getReason())));
    }

    // a fresh object with only identity and status: never send back (or mutate) the cached resource
    private static Topic statusPatch(Topic topic, TopicStatus status) {
        Topic patch = new Topic();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(topic.getMetadata().getName())
                .withNamespace(topic.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }

    private static List<String> managed(Topic topic) {
        return topic.getStatus() == null || topic.getStatus().getManagedConfig() == null ? List.of()
                : topic.getStatus().getManagedConfig();
    }

    private static String clusterRef(Topic topic) {
        return topic.getSpec() == null ? null : topic.getSpec().getClusterRef();
    }

    private static String clusterKey(String namespace, String cluster) {
        return namespace + "/" + cluster;
    }

    private static boolean ready(KafkaCluster cluster) {
        return cluster.getStatus() != null && Conditions.isTrue(cluster.getStatus().getConditions(), Conditions.READY);
    }

    private static Set<ResourceID> ids(List<Topic> topics, HasMetadata except) {
        return topics.stream()
                .filter(t -> except == null || !Objects.equals(t.getMetadata().getName(), except.getMetadata().getName()))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }
}
