package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

class PolicyModelTest {

    @Test
    void atMostOneBrokerIsVoluntarilyDisruptedAtATime() {
        PodDisruptionBudget pdb = PolicyModel.podDisruptionBudget(TestClusters.cluster(3));
        assertThat(pdb.getMetadata().getName()).isEqualTo("events-broker");
        assertThat(pdb.getMetadata().getNamespace()).isEqualTo("kafka");
        assertThat(pdb.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(ClusterResources.selectorLabels("events"));
    }

    @Test
    void brokersGetTheirOwnServiceAccountWithoutAnApiToken() {
        ServiceAccount account = PolicyModel.serviceAccount(TestClusters.cluster(3));
        assertThat(account.getMetadata().getName()).isEqualTo("events-broker");
        assertThat(account.getMetadata().getNamespace()).isEqualTo("kafka");
        assertThat(account.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
    }
}
