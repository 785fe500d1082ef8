package io.strand.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Kubernetes-style conditions ({@code metav1.Condition}) on the operator's resources. */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String WARNING = "Warning";

    public static final String TRUE = "True";
    public static final String FALSE = "False";

    private Conditions() {
    }

    /**
     * A condition as it should now be, keeping the previous {@code lastTransitionTime} when its status has not
     * changed: the time says since when the condition holds, not when the operator last looked.
     */
    public static Condition next(List<Condition> previous, String type, boolean status, String reason, String message,
            long observedGeneration, Instant now) {
        String statusText = status ? TRUE : FALSE;
        String transition = find(previous, type)
                .filter(c -> statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
        return new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transition)
                .build();
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return Optional.empty();
        }
        return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }
}
