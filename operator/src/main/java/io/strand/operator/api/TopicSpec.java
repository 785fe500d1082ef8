package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
// A transition rule on topicName itself only runs when both versions have it, so adding one to a resource that
// relied on metadata.name (or removing it) would still rename the topic.
@ValidationRule(value = "has(self.topicName) == has(oldSelf.topicName)",
        message = "topicName cannot be added or removed after creation")
public class TopicSpec {

    // Renaming would silently create a second topic and orphan the first, so the name is fixed once set.
    @Pattern("^[a-zA-Z0-9._-]{1,249}$")
    @ValidationRule(value = "self == oldSelf", message = "topicName cannot be changed")
    @JsonPropertyDescription("Kafka topic name; defaults to metadata.name.")
    private String topicName;

    @Min(1)
    @ValidationRule(value = "self >= oldSelf", message = "partitions can only be increased")
    @JsonPropertyDescription("Partition count; the broker's num.partitions when unset.")
    private Integer partitions;

    @Min(1)
    @Max(32767)
    @ValidationRule(value = "self == oldSelf", message = "replicationFactor cannot be changed yet")
    @JsonPropertyDescription("Replicas per partition; the broker's default.replication.factor when unset.")
    private Integer replicationFactor;

    @JsonPropertyDescription("Topic configuration, e.g. retention.ms, cleanup.policy.")
    private Map<String, String> config;

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @ValidationRule(value = "self == oldSelf", message = "clusterRef cannot be changed")
    @JsonPropertyDescription("Name of the KafkaCluster in this namespace that holds the topic.")
    private String clusterRef;

    public String getTopicName() {
        return topicName;
    }

    public void setTopicName(String topicName) {
        this.topicName = topicName;
    }

    public Integer getPartitions() {
        return partitions;
    }

    public void setPartitions(Integer partitions) {
        this.partitions = partitions;
    }

    public Integer getReplicationFactor() {
        return replicationFactor;
    }

    public void setReplicationFactor(Integer replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    public Map<String, String> getConfig() {
        return config;
    }

    public void setConfig(Map<String, String> config) {
        this.config = config;
    }

    public String getClusterRef() {
        return clusterRef;
    }

    public void setClusterRef(String clusterRef) {
        this.clusterRef = clusterRef;
    }
}
