package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Each broker's persistent volume, from the StatefulSet's {@code data} claim template. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// On the object, not the field: a field rule would let a class be added to or removed from an existing cluster.
@ValidationRule(value = "has(self.storageClass) == has(oldSelf.storageClass)"
        + " && (!has(self.storageClass) || self.storageClass == oldSelf.storageClass)",
        message = "storage.storageClass cannot be changed")
public class Storage {

    // Volumes can grow (claims are patched, the StatefulSet re-created around its pods) but never shrink:
    // Kubernetes cannot shrink a volume, and refusing the edit here beats a dependent failing on every reconcile.
    @Required
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
    @ValidationRule(value = "quantity(self).compareTo(quantity(oldSelf)) >= 0", message = "storage.size can grow but not shrink")
    @JsonPropertyDescription("Size of each broker's volume, e.g. 10Gi. It can grow where the StorageClass allows volume expansion; it cannot shrink.")
    private String size;

    @JsonPropertyDescription("StorageClass of the volumes; the cluster's default class when unset.")
    private String storageClass;

    @Default("false")
    @JsonPropertyDescription("Delete the volumes when the KafkaCluster is deleted. Volumes of brokers removed by a scale-down are kept.")
    private Boolean deleteClaim = false;

    public Storage() {
    }

    public Storage(String size) {
        this.size = size;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getStorageClass() {
        return storageClass;
    }

    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass;
    }

    public Boolean getDeleteClaim() {
        return deleteClaim;
    }

    public void setDeleteClaim(Boolean deleteClaim) {
        this.deleteClaim = deleteClaim;
    }
}
