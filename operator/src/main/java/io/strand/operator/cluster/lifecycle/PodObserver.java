package io.strand.operator.cluster.lifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.strand.operator.model.ClusterResources;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns broker pods into {@link PodState}s; pods without a parsable ordinal are not the StatefulSet's and are skipped. */
public final class PodObserver {

    private PodObserver() {
    }

    public static List<PodState> states(List<Pod> pods, Instant now) {
        return pods.stream().map(p -> state(p, now)).flatMap(Optional::stream).toList();
    }

    static Optional<PodState> state(Pod pod, Instant now) {
        Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
        Integer ordinal = parse(labels.get(ClusterResources.POD_INDEX_LABEL));
        if (ordinal == null) {
            return Optional.empty();
        }
        Instant readySince = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                        .findFirst()
                        // without a transition time, the pod's age is the best bound; never "settled long ago"
                        .map(c -> time(c.getLastTransitionTime()).or(() -> time(pod.getMetadata().getCreationTimestamp())).orElse(now))
                        .orElse(null);
        String hash = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of()).get(ClusterResources.CONFIG_HASH_ANNOTATION);
        return Optional.of(new PodState(pod.getMetadata().getName(), ordinal, readySince,
                pod.getMetadata().getDeletionTimestamp() != null, hash));
    }

    private static Optional<Instant> time(String rfc3339) {
        try {
            return Optional.ofNullable(rfc3339).map(Instant::parse);
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }

    private static Integer parse(String value) {
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
