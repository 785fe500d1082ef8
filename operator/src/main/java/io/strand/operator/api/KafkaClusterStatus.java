package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaClusterStatus {

    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();

    @StatusReplicas
    private Integer replicas;

    @PrinterColumn(name = "Ready")
    private Integer readyReplicas;

    @LabelSelector
    private String labelSelector;

    @JsonPropertyDescription("host:port clients bootstrap from, inside the cluster.")
    private String bootstrapAddress;

    @JsonPropertyDescription("The brokers' cluster id, as they report it.")
    private String clusterId;

    @JsonPropertyDescription("A scale-down in progress: the brokers being drained of their replicas.")
    private KafkaClusterDrainStatus drain;

    // Recorded rather than derived from spec.replicas: the broker cannot change its voters at runtime yet, so
    // scaling must never move them (see operator/README.md, "Metadata quorum").
    @JsonPropertyDescription("Node ids of the metadata quorum's voters, fixed when the cluster was created.")
    private List<Integer> voters;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public String getLabelSelector() {
        return labelSelector;
    }

    public void setLabelSelector(String labelSelector) {
        this.labelSelector = labelSelector;
    }

    public String getBootstrapAddress() {
        return bootstrapAddress;
    }

    public void setBootstrapAddress(String bootstrapAddress) {
        this.bootstrapAddress = bootstrapAddress;
    }

    public String getClusterId() {
        return clusterId;
    }

    public void setClusterId(String clusterId) {
        this.clusterId = clusterId;
    }

    public KafkaClusterDrainStatus getDrain() {
        return drain;
    }

    public void setDrain(KafkaClusterDrainStatus drain) {
        this.drain = drain;
    }

    public List<Integer> getVoters() {
        return voters;
    }

    public void setVoters(List<Integer> voters) {
        this.voters = voters;
    }

    // value equality lets the reconciler skip a status write that would change nothing
    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClusterStatus that
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && Objects.equals(replicas, that.replicas)
                && Objects.equals(readyReplicas, that.readyReplicas)
                && Objects.equals(labelSelector, that.labelSelector)
                && Objects.equals(bootstrapAddress, that.bootstrapAddress)
                && Objects.equals(clusterId, that.clusterId)
                && Objects.equals(drain, that.drain)
                && Objects.equals(voters, that.voters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, replicas, readyReplicas, labelSelector, bootstrapAddress, clusterId, drain, voters);
    }
}
