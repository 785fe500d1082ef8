package io.strand.operator.cluster.lifecycle;

import io.strand.operator.api.KafkaClusterDrainStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the lifecycle planner decides from, observed afresh at each reconcile; {@code drain} is the only part
 * remembered (in the status) rather than observed.
 *
 * @param wanted the brokers the spec asks for, never below the voters ({@code Voters.effectiveReplicas})
 * @param statefulSetReplicas the StatefulSet's {@code spec.replicas}, or null when it does not exist yet
 * @param templateConfigHash the config hash on the StatefulSet's pod template: pods with another hash are outdated
 * @param kafka empty when the brokers could not be reached; then {@code kafkaError} says why
 */
public record Observation(int wanted, List<Integer> voters, Integer statefulSetReplicas, String templateConfigHash,
        List<PodState> pods, Optional<KafkaState> kafka, String kafkaError, KafkaClusterDrainStatus drain, Instant now) {

    public Observation {
        voters = List.copyOf(voters);
        pods = List.copyOf(pods);
    }

    public Optional<PodState> pod(int ordinal) {
        return pods.stream().filter(p -> p.ordinal() == ordinal).findFirst();
    }
}
