package io.strand.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A topic on the KafkaCluster named by {@code spec.clusterRef} in the same namespace. */
@Group(StrandApi.GROUP)
@Version(StrandApi.VERSION)
@ShortNames("stopic")
@Categories("strand")
@AdditionalPrinterColumn(name = "Cluster", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.clusterRef")
@AdditionalPrinterColumn(name = "Status", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class Topic extends CustomResource<TopicSpec, TopicStatus> implements Namespaced {

    /** The Kafka topic name: {@code spec.topicName}, else the resource's name. */
    public String topicName() {
        String name = getSpec() == null ? null : getSpec().getTopicName();
        return name == null || name.isEmpty() ? getMetadata().getName() : name;
    }
}
