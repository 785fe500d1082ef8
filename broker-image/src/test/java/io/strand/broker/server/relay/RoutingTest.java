package io.strand.broker.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Splitting partition requests by leader and merging the answers back in request order. */
class RoutingTest {
    private static final int SELF = 1;
    private static final Uuid ORDERS = Uuid.randomUuid();

    /** orders-0 on 2, orders-1 here, orders-2 on 3, orders-3 leaderless; audit-0 on 2. */
    private static final LeaderLookup LEADERS = (topic, id, partition) -> {
        boolean orders = "orders".equals(topic) || ORDERS.equals(id);
        if (orders) {
            return switch (partition) {
                case 0 -> 2;
                case 1 -> 1;
                case 2 -> 3;
                default -> -1;
            };
        }
        return "audit".equals(topic) ? 2 : -1;
    };

    @Test
    void produceIsSplitByLeaderWithLeaderlessPartitionsAnsweredHere() {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1234).setTransactionalId(null);
        request.topicData().add(produceTopic("orders", 3, 0, 1, 2));
        request.topicData().add(produceTopic("audit", 0));

        Map<Integer, ProduceRequestData> legs = new ProduceRouting().split(request, SELF, LEADERS);

        assertThat(legs.keySet()).containsExactly(1, 2, 3);
        assertThat(partitionsOf(legs.get(2))).containsExactly("orders-0", "audit-0");
        assertThat(partitionsOf(legs.get(1))).containsExactly("orders-3", "orders-1");
        assertThat(partitionsOf(legs.get(3))).containsExactly("orders-2");
        assertThat(legs.values()).allSatisfy(leg -> {
            assertThat(leg.acks()).isEqualTo((short) -1);
            assertThat(leg.timeoutMs()).isEqualTo(1234);
        });
        // batches are the very same objects: forwarded unchanged
        assertThat(legs.get(3).topicData().iterator().next().partitionData().get(0))
                .isSameAs(request.topicData().find("orders", Uuid.ZERO_UUID).partitionData().get(3));
    }

    @Test
    void produceAnswersComeBackInRequestOrderAndAFailedLegIsRetriable() {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1);
        request.topicData().add(produceTopic("orders", 2, 0, 1));
        request.topicData().add(produceTopic("audit", 0));
        ProduceResponseData fromTwo = new ProduceResponseData();
        fromTwo.responses().add(produceAnswer("audit", 0, 70));
        fromTwo.responses().add(produceAnswer("orders", 0, 10));
        fromTwo.responses().find("orders", Uuid.ZERO_UUID).partitionResponses().get(0)
                .setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(5));
        ProduceResponseData local = new ProduceResponseData();
        local.responses().add(produceAnswer("orders", 1, 20));
        // broker 3's leg (orders-2) failed: no answer

        ProduceResponseData merged = new ProduceRouting().merge(request, List.of(fromTwo, local));

        List<String> order = new ArrayList<>();
        merged.responses().forEach(t -> t.partitionResponses().forEach(p -> order.add(t.name() + "-" + p.index() + "@" + p.baseOffset()
                + ":" + Errors.forCode(p.errorCode()))));
        assertThat(order).containsExactly("orders-2@-1:NOT_LEADER_OR_FOLLOWER", "orders-0@10:NONE", "orders-1@20:NONE", "audit-0@70:NONE");
        assertThat(merged.responses().find("orders", Uuid.ZERO_UUID).partitionResponses().get(1).currentLeader().leaderId())
                .as("hints naming real brokers are dropped").isEqualTo(-1);
        assertThat(merged.nodeEndpoints()).isEmpty();
    }

    @Test
    void fetchBySessionlessLegsAndTopicIds() {
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(0)
                .setReplicaId(-1).setIsolationLevel((byte) 1);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(ORDERS);
        for (int p : new int[] {2, 0, 1}) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(100 + p));
        }
        request.topics().add(topic);

        Map<Integer, FetchRequestData> legs = new FetchRouting().split(request, SELF, LEADERS);

        assertThat(legs.keySet()).containsExactly(3, 2, 1);
        assertThat(legs.values()).allSatisfy(leg -> {
            assertThat(leg.sessionId()).isZero();
            assertThat(leg.sessionEpoch()).isEqualTo(-1);
            assertThat(leg.maxWaitMs()).isEqualTo(500);
            assertThat(leg.isolationLevel()).isEqualTo((byte) 1);
            assertThat(leg.topics()).singleElement().satisfies(t -> assertThat(t.topicId()).isEqualTo(ORDERS));
        });
        assertThat(legs.get(2).topics().get(0).partitions()).singleElement().satisfies(p -> assertThat(p.fetchOffset()).isEqualTo(100));
        Map<Integer, FetchRequestData> now = FetchRouting.immediate(legs);
        assertThat(now.keySet()).containsExactly(3, 2, 1);
        assertThat(now.values()).allSatisfy(leg -> assertThat(leg.maxWaitMs()).isZero());
        assertThat(legs.get(3).maxWaitMs()).as("the long-poll legs are untouched").isEqualTo(500);

        FetchResponseData fromTwo = fetchAnswer(0, 42);
        FetchResponseData failedLeg = fetchAnswer(1, 43).setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        FetchResponseData fromThree = fetchAnswer(2, 44);
        fromThree.responses().get(0).partitions().get(0).setPreferredReadReplica(3);
        FetchResponseData merged = new FetchRouting().merge(request, List.of(fromTwo, failedLeg, fromThree));

        assertThat(merged.sessionId()).isZero();
        assertThat(merged.responses()).singleElement().satisfies(t -> {
            assertThat(t.topicId()).isEqualTo(ORDERS);
            assertThat(t.partitions()).extracting(p -> p.partitionIndex() + ":" + p.highWatermark() + ":" + Errors.forCode(p.errorCode()))
                    .containsExactly("2:44:NONE", "0:42:NONE", "1:-1:NOT_LEADER_OR_FOLLOWER");
            assertThat(t.partitions()).allSatisfy(p -> assertThat(p.preferredReadReplica()).isEqualTo(-1));
        });
        assertThat(FetchForwarder.worthAnswering(merged)).as("an error is worth answering at once").isTrue();
        assertThat(FetchForwarder.worthAnswering(new FetchRouting().merge(request, List.of(fromTwo, fetchAnswer(1, 43), fromThree))))
                .as("no records, no errors: long-poll").isFalse();
    }

    @Test
    void listOffsetsAndEpochsAreSplitAndMergedInOrder() {
        ListOffsetsRequestData offsets = new ListOffsetsRequestData().setReplicaId(-1).setTopics(new ArrayList<>());
        ListOffsetsRequestData.ListOffsetsTopic t = new ListOffsetsRequestData.ListOffsetsTopic().setName("orders");
        for (int p : new int[] {1, 2, 0}) {
            t.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(p).setTimestamp(-1));
        }
        offsets.topics().add(t);
        Map<Integer, ListOffsetsRequestData> legs = new ListOffsetsRouting().split(offsets, SELF, LEADERS);
        assertThat(legs.keySet()).containsExactly(1, 3, 2);
        ListOffsetsResponseData two = new ListOffsetsResponseData();
        two.topics().add(new ListOffsetsResponseData.ListOffsetsTopicResponse().setName("orders").setPartitions(new ArrayList<>(List.of(
                new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(0).setOffset(7)))));
        ListOffsetsResponseData merged = new ListOffsetsRouting().merge(offsets, List.of(two));
        assertThat(merged.topics().get(0).partitions()).extracting(p -> p.partitionIndex() + ":" + p.offset() + ":" + Errors.forCode(p.errorCode()))
                .containsExactly("1:-1:NOT_LEADER_OR_FOLLOWER", "2:-1:NOT_LEADER_OR_FOLLOWER", "0:7:NONE");

        OffsetForLeaderEpochRequestData epochs = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic et = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("orders");
        et.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(2).setLeaderEpoch(3));
        et.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(3));
        epochs.topics().add(et);
        Map<Integer, OffsetForLeaderEpochRequestData> epochLegs = new EpochRouting().split(epochs, SELF, LEADERS);
        assertThat(epochLegs.keySet()).containsExactly(3, 2);
        OffsetForLeaderEpochResponseData fromThree = new OffsetForLeaderEpochResponseData();
        fromThree.topics().add(new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic("orders").setPartitions(new ArrayList<>(List.of(
                new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(2).setLeaderEpoch(3).setEndOffset(99)))));
        OffsetForLeaderEpochResponseData mergedEpochs = new EpochRouting().merge(epochs, List.of(fromThree));
        assertThat(mergedEpochs.topics().find("orders").partitions()).extracting(p -> p.partition() + ":" + p.endOffset() + ":" + Errors.forCode(p.errorCode()))
                .containsExactly("2:99:NONE", "0:-1:NOT_LEADER_OR_FOLLOWER");
    }

    private static ProduceRequestData.TopicProduceData produceTopic(String name, int... partitions) {
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(name);
        for (int p : partitions) {
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p));
        }
        return topic;
    }

    private static ProduceResponseData.TopicProduceResponse produceAnswer(String name, int partition, long offset) {
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName(name);
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(partition).setBaseOffset(offset));
        return topic;
    }

    private static FetchResponseData fetchAnswer(int partition, long highWatermark) {
        FetchResponseData response = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopicId(ORDERS);
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(partition).setHighWatermark(highWatermark));
        response.responses().add(topic);
        return response;
    }

    private static List<String> partitionsOf(ProduceRequestData leg) {
        List<String> out = new ArrayList<>();
        leg.topicData().forEach(t -> t.partitionData().forEach(p -> out.add(t.name() + "-" + p.index())));
        return out;
    }
}
