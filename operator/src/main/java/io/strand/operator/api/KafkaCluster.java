package io.strand.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A fleet of Strand brokers, one StatefulSet pod per broker, the pod ordinal being the broker's {@code node.id}. */
@Group(StrandApi.GROUP)
@Version(StrandApi.VERSION)
@ShortNames("skc")
@Categories("strand")
@AdditionalPrinterColumn(name = "Status", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
// Derived names ("<name>-broker-<ordinal>" pods, their controller-revision-hash label) must stay within 63 characters.
@ValidationRule(value = "size(self.metadata.name) <= 40", message = "a KafkaCluster name is at most 40 characters",
        reason = "FieldValueInvalid")
public class KafkaCluster extends CustomResource<KafkaClusterSpec, KafkaClusterStatus> implements Namespaced {
}
