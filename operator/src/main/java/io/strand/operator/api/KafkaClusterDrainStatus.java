package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * What a scale-down must remember across reconciles and operator restarts: everything else about it is observed
 * again each time. The StatefulSet shrinks only after {@code confirmations} reached two, i.e. two observations,
 * apart in time, each showing the leaving brokers without any replica.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaClusterDrainStatus {

    @JsonPropertyDescription("Node ids of the brokers being drained before the StatefulSet shrinks.")
    private List<Integer> brokers;

    @JsonPropertyDescription("Consecutive observations showing those brokers without any replica.")
    private Integer confirmations;

    @JsonPropertyDescription("When the last of those observations was made (RFC 3339).")
    private String lastConfirmation;

    public KafkaClusterDrainStatus() {
    }

    public KafkaClusterDrainStatus(List<Integer> brokers, Integer confirmations, String lastConfirmation) {
        this.brokers = brokers;
        this.confirmations = confirmations;
        this.lastConfirmation = lastConfirmation;
    }

    public List<Integer> getBrokers() {
        return brokers;
    }

    public void setBrokers(List<Integer> brokers) {
        this.brokers = brokers;
    }

    public Integer getConfirmations() {
        return confirmations;
    }

    public void setConfirmations(Integer confirmations) {
        this.confirmations = confirmations;
    }

    public String getLastConfirmation() {
        return lastConfirmation;
    }

    public void setLastConfirmation(String lastConfirmation) {
        this.lastConfirmation = lastConfirmation;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClusterDrainStatus that && Objects.equals(brokers, that.brokers)
                && Objects.equals(confirmations, that.confirmations) && Objects.equals(lastConfirmation, that.lastConfirmation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(brokers, confirmations, lastConfirmation);
    }

    @Override
    public String toString() {
        return "drain" + brokers + " confirmed " + confirmations + "x, last at " + lastConfirmation;
    }
}
