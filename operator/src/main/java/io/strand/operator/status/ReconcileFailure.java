package io.strand.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The status of a KafkaCluster whose reconcile failed: what went wrong goes into its conditions, where
 * {@code kubectl get/describe} shows it, instead of only into the operator's log. Everything else the status knew
 * (replicas, voters, drain, cluster id) is kept: a failed pass has learned nothing new about them.
 */
public final class ReconcileFailure {

    /** The API server refused an object built from the spec (e.g. resource limits below requests): fix the spec. */
    public static final String REASON_INVALID_SPEC = "InvalidSpec";
    /** Anything else (API server unreachable, conflicts, a bug): JOSDK retries with backoff. */
    public static final String REASON_RECONCILE_FAILED = "ReconcileFailed";

    private static final int MAX_MESSAGE = 1024;

    private ReconcileFailure() {
    }

    public static KafkaClusterStatus status(KafkaCluster cluster, Exception error, Instant now) {
        long generation = Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L);
        KafkaClusterStatus previous = cluster.getStatus() == null ? new KafkaClusterStatus() : cluster.getStatus();
        Optional<KubernetesClientException> refused = cause(error, KubernetesClientException.class)
                .filter(e -> e.getCode() == 422 || e.getCode() == 400);
        Optional<IllegalArgumentException> invalid = cause(error, IllegalArgumentException.class);
        String reason = refused.isPresent() || invalid.isPresent() ? REASON_INVALID_SPEC : REASON_RECONCILE_FAILED;
        String message = truncate(refused.map(ReconcileFailure::apiMessage)
                .or(() -> invalid.map(Throwable::getMessage))
                .orElseGet(() -> rootMessage(error)));

        KafkaClusterStatus status = copy(previous);
        status.setObservedGeneration(generation);
        List<Condition> conditions = new ArrayList<>();
        conditions.add(Conditions.next(previous.getConditions(), Conditions.READY, false, reason, message, generation, now));
        conditions.add(Conditions.next(previous.getConditions(), Conditions.RECONCILING, true, reason, message, generation, now));
        conditions.add(Conditions.next(previous.getConditions(), Conditions.WARNING, true, reason, message, generation, now));
        status.setConditions(conditions);
        return status;
    }

    private static String apiMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String truncate(String message) {
        String text = message == null ? "" : message;
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 3) + "...";
    }

    /** The first throwable of the type in the cause chain, and among JOSDK's aggregated dependent failures. */
    static <T extends Throwable> Optional<T> cause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
            if (t instanceof io.javaoperatorsdk.operator.AggregatedOperatorException aggregated) {
                for (Exception each : aggregated.getAggregatedExceptions().values()) {
                    Optional<T> found = cause(each, type);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static KafkaClusterStatus copy(KafkaClusterStatus previous) {
        KafkaClusterStatus status = new KafkaClusterStatus();
        status.setReplicas(previous.getReplicas());
        status.setReadyReplicas(previous.getReadyReplicas());
        status.setLabelSelector(previous.getLabelSelector());
        status.setBootstrapAddress(previous.getBootstrapAddress());
        status.setClusterId(previous.getClusterId());
        status.setDrain(previous.getDrain());
        status.setVoters(previous.getVoters());
        return status;
    }
}
