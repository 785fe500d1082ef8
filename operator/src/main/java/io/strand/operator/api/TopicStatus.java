package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopicStatus {

    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();
    private String topicId;
    private Integer partitions;

    // Without this record a key removed from spec.config could not be told apart from an override someone else set,
    // and the operator would have to either leave every removed key behind or wipe overrides it never owned.
    @JsonPropertyDescription("The spec.config keys this resource manages on the topic: removed from spec.config, "
            + "they are deleted from the topic (back to the broker default).")
    private List<String> managedConfig;

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

    public String getTopicId() {
        return topicId;
    }

    public void setTopicId(String topicId) {
        this.topicId = topicId;
    }

    public Integer getPartitions() {
        return partitions;
    }

    public void setPartitions(Integer partitions) {
        this.partitions = partitions;
    }

    public List<String> getManagedConfig() {
        return managedConfig;
    }

    public void setManagedConfig(List<String> managedConfig) {
        this.managedConfig = managedConfig;
    }

    // value equality lets the reconciler skip a status write that would change nothing
    @Override
    public boolean equals(Object o) {
        return o instanceof TopicStatus that
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && Objects.equals(topicId, that.topicId)
                && Objects.equals(partitions, that.partitions)
                && Objects.equals(managedConfig, that.managedConfig);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, topicId, partitions, managedConfig);
    }
}
