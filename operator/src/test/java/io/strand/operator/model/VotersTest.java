package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VotersTest {

    @Test
    void aNewClusterHasUpToThreeVotersFromOrdinalZero() {
        assertThat(Voters.initial(1)).containsExactly(0);
        assertThat(Voters.initial(2)).containsExactly(0, 1);
        assertThat(Voters.initial(3)).containsExactly(0, 1, 2);
        assertThat(Voters.initial(7)).containsExactly(0, 1, 2);
        assertThatThrownBy(() -> Voters.initial(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordedVotersWinOverTheConfigMapAndTheReplicaCount() {
        assertThat(Voters.decide(List.of(0), Optional.of("0@a:9093,1@b:9093,2@c:9093"), 5)).containsExactly(0);
    }

    @Test
    void withoutStatusTheVotersComeBackFromTheConfigMap() {
        assertThat(Voters.decide(null, Optional.of("0@a:9093,1@b:9093"), 5)).containsExactly(0, 1);
        assertThat(Voters.decide(List.of(), Optional.of("0@a:9093,1@b:9093"), 5)).containsExactly(0, 1);
    }

    @Test
    void aNewClusterDecidesFromItsReplicas() {
        assertThat(Voters.decide(null, Optional.empty(), 5)).containsExactly(0, 1, 2);
        assertThat(Voters.decide(null, Optional.of(" "), 1)).containsExactly(0);
    }

    @Test
    void scalingNeverChangesTheRecordedVoters() {
        List<Integer> voters = Voters.initial(1);
        assertThat(Voters.decide(voters, Optional.empty(), 9)).isEqualTo(voters);
    }

    @Test
    void quorumVotersNameEachVoterByItsPodDnsNameAndTheRaftPort() {
        assertThat(Voters.quorumVoters("events", "kafka", List.of(0, 1, 2))).isEqualTo(
                "0@events-broker-0.events-brokers.kafka.svc:9093,"
                        + "1@events-broker-1.events-brokers.kafka.svc:9093,"
                        + "2@events-broker-2.events-brokers.kafka.svc:9093");
    }

    @Test
    void parseReadsBackWhatQuorumVotersWrites() {
        List<Integer> voters = List.of(0, 1, 2);
        assertThat(Voters.parseIds(Voters.quorumVoters("c", "ns", voters))).isEqualTo(voters);
        assertThatThrownBy(() -> Voters.parseIds("host:9093")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:9093");
    }

    @Test
    void theStatefulSetNeverShrinksBelowTheHighestVoter() {
        assertThat(Voters.minimumReplicas(List.of(0, 1, 2))).isEqualTo(3);
        assertThat(Voters.effectiveReplicas(5, List.of(0, 1, 2))).isEqualTo(5);
        assertThat(Voters.effectiveReplicas(1, List.of(0, 1, 2))).isEqualTo(3);
        assertThat(Voters.effectiveReplicas(2, List.of(0))).isEqualTo(2);
    }
}
