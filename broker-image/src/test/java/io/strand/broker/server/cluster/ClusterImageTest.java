package io.strand.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ClusterImageTest {
    private long offset;

    private ClusterImage apply(ClusterImage image, MetadataRecord record) {
        ClusterImage.Applied applied = image.apply(++offset, record);
        assertThat(applied.error()).as(record.toString()).isNull();
        return applied.image();
    }

    private ClusterImage threeActiveBrokersAndATopic() {
        ClusterImage image = ClusterImage.empty();
        for (int id = 1; id <= 3; id++) {
            image = apply(image, new MetadataRecord.RegisterBroker(new BrokerRegistration(id, "h" + id, 9092, "zone-" + id, 100 + id, false, false)));
            image = apply(image, new MetadataRecord.UnfenceBroker(id, 100 + id));
        }
        TopicMetadata topic = new TopicMetadata("t", Uuid.randomUuid(), Map.of(), List.of(
                PartitionState.initial(List.of(1, 2, 3), List.of(1, 2, 3), 1),
                PartitionState.initial(List.of(2, 3, 1), List.of(2, 3, 1), 2)));
        return apply(image, new MetadataRecord.CreateTopic(topic));
    }

    @Test
    void registeredBrokersStartFencedUntilUnfenced() {
        ClusterImage image = apply(ClusterImage.empty(), new MetadataRecord.RegisterBroker(new BrokerRegistration(1, "h", 1, null, 7, false, false)));
        assertThat(image.brokers().get(1).fenced()).isTrue();
        image = apply(image, new MetadataRecord.UnfenceBroker(1, 7));
        assertThat(image.isActive(1)).isTrue();
        assertThat(image.apply(++offset, new MetadataRecord.UnfenceBroker(1, 6)).error()).contains("incarnation");
    }

    @Test
    void fencingALeaderMovesLeadershipToTheNextInSyncReplica() {
        ClusterImage image = apply(threeActiveBrokersAndATopic(), new MetadataRecord.FenceBroker(1, 101));
        PartitionState p0 = image.topics().get("t").partitions().get(0);
        assertThat(p0.leader()).isEqualTo(2);
        assertThat(p0.leaderEpoch()).isEqualTo(1);
        assertThat(p0.isr()).containsExactly(2, 3);
        PartitionState p1 = image.topics().get("t").partitions().get(1);
        assertThat(p1.leader()).isEqualTo(2);
        assertThat(p1.leaderEpoch()).isZero();
        assertThat(p1.isr()).containsExactly(2, 3);
    }

    @Test
    void theLastInSyncReplicaKeepsItsPlaceAndLeadsAgainWhenBack() {
        ClusterImage image = threeActiveBrokersAndATopic();
        image = apply(image, new MetadataRecord.FenceBroker(2, 102));
        image = apply(image, new MetadataRecord.FenceBroker(3, 103));
        image = apply(image, new MetadataRecord.FenceBroker(1, 101));
        PartitionState p0 = image.topics().get("t").partitions().get(0);
        assertThat(p0.hasLeader()).isFalse();
        assertThat(p0.isr()).containsExactly(1);
        // broker 2 returns first: it is not in sync, so no unclean election
        image = apply(image, new MetadataRecord.UnfenceBroker(2, 102));
        assertThat(image.topics().get("t").partitions().get(0).hasLeader()).isFalse();
        image = apply(image, new MetadataRecord.UnfenceBroker(1, 101));
        assertThat(image.topics().get("t").partitions().get(0).leader()).isEqualTo(1);
    }

    @Test
    void aRestartedBrokerLeavesEveryIsrUntilItCatchesUp() {
        ClusterImage image = apply(threeActiveBrokersAndATopic(),
                new MetadataRecord.RegisterBroker(new BrokerRegistration(3, "h3", 9092, "zone-3", 999, false, false)));
        assertThat(image.topics().get("t").partitions().get(0).isr()).containsExactly(1, 2);
        assertThat(image.topics().get("t").partitions().get(1).leader()).isEqualTo(2);
        assertThat(image.brokers().get(3).fenced()).isTrue();
    }

    @Test
    void alterIsrIsRefusedOnStaleEpochsAndCompletesReassignments() {
        ClusterImage image = threeActiveBrokersAndATopic();
        image = apply(image, new MetadataRecord.RegisterBroker(new BrokerRegistration(4, "h4", 9092, null, 104, false, false)));
        image = apply(image, new MetadataRecord.UnfenceBroker(4, 104));
        image = apply(image, new MetadataRecord.Reassign("t", 0, List.of(2, 3, 4)));
        PartitionState moving = image.topics().get("t").partitions().get(0);
        assertThat(moving.adding()).containsExactly(4);
        assertThat(moving.removing()).containsExactly(1);
        assertThat(moving.replicas()).containsExactly(2, 3, 4, 1);

        ClusterImage.Applied stale = image.apply(++offset, new MetadataRecord.AlterIsr("t", 0, 1, 0, moving.partitionEpoch() - 1, List.of(1, 2, 3, 4)));
        assertThat(stale.error()).isEqualTo("INVALID_UPDATE_VERSION");
        image = apply(image, new MetadataRecord.AlterIsr("t", 0, 1, 0, moving.partitionEpoch(), List.of(1, 2, 3, 4)));
        PartitionState done = image.topics().get("t").partitions().get(0);
        assertThat(done.replicas()).containsExactly(2, 3, 4);
        assertThat(done.isr()).containsExactly(2, 3, 4);
        assertThat(done.leader()).isEqualTo(2);
        assertThat(done.reassigning()).isFalse();
        assertThat(image.replicaCount(1)).isEqualTo(1);
    }

    @Test
    void brokersWithReplicasCannotBeUnregistered() {
        ClusterImage image = threeActiveBrokersAndATopic();
        assertThat(image.apply(++offset, new MetadataRecord.UnregisterBroker(3)).error()).contains("still holds 2 replica(s)");
    }

    @Test
    void controlledShutdownHandsLeadershipAway() {
        ClusterImage image = apply(threeActiveBrokersAndATopic(), new MetadataRecord.ControlledShutdown(2, 102));
        assertThat(image.topics().get("t").partitions().get(1).leader()).isEqualTo(3);
        assertThat(image.activeBrokers()).extracting(BrokerRegistration::id).containsExactly(1, 3);
        assertThat(image.apply(++offset, new MetadataRecord.ElectPreferredLeader("t", 0)).error()).isEqualTo("ELECTION_NOT_NEEDED");
        assertThat(image.apply(++offset, new MetadataRecord.ElectPreferredLeader("t", 1)).error()).isEqualTo("PREFERRED_LEADER_NOT_AVAILABLE");
    }

    @Test
    void producerIdsAreHandedOutInBlocks() {
        ClusterImage.Applied first = ClusterImage.empty().apply(1, new MetadataRecord.AllocateProducerIds(1000));
        ClusterImage.Applied second = first.image().apply(2, new MetadataRecord.AllocateProducerIds(1000));
        assertThat(first.value()).isEqualTo(0L);
        assertThat(second.value()).isEqualTo(1000L);
    }

    @Test
    void recordsAndSnapshotsRoundTrip() {
        ClusterImage image = apply(threeActiveBrokersAndATopic(), new MetadataRecord.ClusterState("cluster-x", 5000));
        assertThat(MetadataCodec.decodeImage(MetadataCodec.encodeImage(image))).isEqualTo(image);
        List<MetadataRecord> records = List.of(
                new MetadataRecord.AlterIsr("t", 1, 2, 3, 4, List.of(2, 3)),
                new MetadataRecord.Reassign("t", 0, null),
                new MetadataRecord.Reassign("t", 0, List.of(3, 1)),
                new MetadataRecord.SetTopicConfigs("t", Map.of("retention.ms", "5")),
                new MetadataRecord.CreatePartitions("t", List.of(PartitionState.initial(List.of(1), List.of(1), 1))),
                new MetadataRecord.DeleteTopic("t"),
                new MetadataRecord.UnregisterBroker(4),
                new MetadataRecord.ControlledShutdown(1, 9),
                new MetadataRecord.ElectPreferredLeader("t", 2),
                new MetadataRecord.AllocateProducerIds(10));
        for (MetadataRecord record : records) {
            assertThat(MetadataCodec.decode(MetadataCodec.encode(record))).isEqualTo(record);
        }
    }
}
