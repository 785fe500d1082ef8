package io.strand.broker.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.server.cluster.ClusterImage;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class PartitionHealthTest {
    private static PartitionState state(List<Integer> replicas, List<Integer> isr, int leader, List<Integer> adding) {
        return new PartitionState(replicas, isr, leader, 1, 1, adding, List.of());
    }

    @Test
    void underReplicatedOnlyOnTheLeaderAndOnlyWhenTheIsrIsShort() {
        PartitionState short1 = state(List.of(1, 2, 3), List.of(1, 2), 1, List.of());
        assertThat(PartitionHealth.underReplicated(short1, 1)).isTrue();
        assertThat(PartitionHealth.underReplicated(short1, 2)).as("a follower does not count it").isFalse();
        assertThat(PartitionHealth.underReplicated(state(List.of(1, 2, 3), List.of(3, 1, 2), 1, List.of()), 1)).isFalse();
        assertThat(PartitionHealth.underReplicated(state(List.of(1), List.of(1), 1, List.of()), 1)).isFalse();
        assertThat(PartitionHealth.underReplicated(state(List.of(1, 2), List.of(2), PartitionState.NO_LEADER, List.of()), 1)).isFalse();
    }

    @Test
    void replicasBeingAddedByAReassignmentAreNotExpectedInSync() {
        PartitionState moving = state(List.of(1, 2, 3, 4), List.of(1, 2, 3), 1, List.of(4));
        assertThat(PartitionHealth.underReplicated(moving, 1)).isFalse();
        assertThat(PartitionHealth.underReplicated(state(List.of(1, 2, 3, 4), List.of(1, 2), 1, List.of(4)), 1)).isTrue();
    }

    @Test
    void offlinePartitionsAreThoseWithoutALeader() {
        TopicMetadata a = new TopicMetadata("a", Uuid.randomUuid(), Map.of(), List.of(
                state(List.of(1, 2), List.of(1, 2), 1, List.of()), state(List.of(2), List.of(2), PartitionState.NO_LEADER, List.of())));
        TopicMetadata b = new TopicMetadata("b", Uuid.randomUuid(), Map.of(), List.of(
                state(List.of(3), List.of(3), PartitionState.NO_LEADER, List.of()), state(List.of(3), List.of(3), 3, List.of())));
        ClusterImage image = new ClusterImage(5, "c", Map.of(), Map.of("a", a, "b", b), 0);
        assertThat(PartitionHealth.offlinePartitions(image)).isEqualTo(2);
        assertThat(PartitionHealth.offlinePartitions(ClusterImage.empty())).isZero();
    }

    @Test
    void isrChangesAreClassifiedAsShrinkExpandOrBoth() {
        assertThat(PartitionHealth.shrank(List.of(1, 2, 3), List.of(1, 3))).isTrue();
        assertThat(PartitionHealth.expanded(List.of(1, 2, 3), List.of(1, 3))).isFalse();
        assertThat(PartitionHealth.expanded(List.of(1), List.of(1, 2))).isTrue();
        assertThat(PartitionHealth.shrank(List.of(1), List.of(1, 2))).isFalse();
        assertThat(PartitionHealth.shrank(List.of(1, 2), List.of(1, 3))).isTrue();
        assertThat(PartitionHealth.expanded(List.of(1, 2), List.of(1, 3))).isTrue();
        assertThat(PartitionHealth.shrank(List.of(1, 2), List.of(2, 1))).as("reordering is no change").isFalse();
        assertThat(PartitionHealth.expanded(List.of(1, 2), List.of(2, 1))).isFalse();
    }

    @Test
    void lagIsHighWatermarkMinusCommittedNeverNegative() {
        assertThat(PartitionHealth.lag(10, 25)).isEqualTo(15);
        assertThat(PartitionHealth.lag(25, 25)).isZero();
        assertThat(PartitionHealth.lag(30, 25)).isZero();
        assertThat(PartitionHealth.lag(0, 0)).isZero();
    }
}
