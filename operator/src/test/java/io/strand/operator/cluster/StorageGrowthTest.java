package io.strand.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

class StorageGrowthTest {

    @Test
    void onlyABiggerDataClaimCountsAsGrowth() {
        assertThat(StorageGrowth.grows(withClaim("data", "1Gi"), withClaim("data", "2Gi"))).isTrue();
        assertThat(StorageGrowth.grows(withClaim("data", "1Gi"), withClaim("data", "1024Mi"))).as("same size, other unit").isFalse();
        assertThat(StorageGrowth.grows(withClaim("data", "2Gi"), withClaim("data", "1Gi"))).as("shrinking is not growth").isFalse();
        assertThat(StorageGrowth.grows(withClaim("other", "1Gi"), withClaim("data", "2Gi"))).as("no data claim before").isFalse();
        assertThat(StorageGrowth.claimSize(withClaim("data", "3Gi"))).contains(new Quantity("3Gi"));
    }

    private static StatefulSet withClaim(String name, String size) {
        return new StatefulSetBuilder().withNewSpec().addNewVolumeClaimTemplate().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec()
                .endVolumeClaimTemplate().endSpec().build();
    }
}
