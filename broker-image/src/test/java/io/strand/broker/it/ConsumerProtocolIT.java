package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The KIP-848 consumer (group.protocol=consumer): server-side assignment, reconciliation and offsets. */
class ConsumerProtocolIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static BrokerProcess broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start(dir.resolve("data"), ConsumerGroupsIT.BROKER);
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"uniform", "range"})
    void twoMembersSplitPartitionsAndOneTakesOverWhenTheOtherLeaves(String assignor) throws Exception {
        String topic = "kip848-" + assignor;
        String group = "kip848-group-" + assignor;
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(15, TimeUnit.SECONDS);
        Set<TopicPartition> partitions = IntStream.range(0, 4).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(topic, i % 4, "k", "v" + i));
            }
            producer.flush();
        }
        Map<String, Object> config = Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer", ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, assignor);
        try (GroupMember a = new GroupMember(broker.bootstrap(), group, List.of(topic), config)) {
            GroupMember.await(WAIT, () -> a.assignment().equals(partitions), () -> GroupMember.describe(a));
            try (GroupMember b = new GroupMember(broker.bootstrap(), group, List.of(topic), config)) {
                // b only gets partitions after a has revoked them: at no point do both own one
                GroupMember.awaitSplit(partitions, WAIT, a, b);
                assertThat(a.assignment()).hasSize(2);
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertThat(description.type()).isEqualTo(GroupType.CONSUMER);
                assertThat(description.groupState()).isIn(GroupState.STABLE, GroupState.RECONCILING);
                assertThat(description.members()).hasSize(2);
                assertThat(description.members().stream().flatMap(m -> m.assignment().topicPartitions().stream()).collect(Collectors.toSet()))
                        .isEqualTo(partitions);
                assertThat(description.partitionAssignor()).isEqualTo(assignor);
                // a read all 40 before b joined, so wait for b's own share: b must not commit positions it has not consumed up to
                GroupMember.await(WAIT, () -> b.records.size() >= 20, () -> GroupMember.describe(a, b));
                b.onPollThread(c -> c.commitSync());
                assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().keySet()).isEqualTo(b.assignment());
            }
            // b left (memberEpoch -1): a takes over everything
            GroupMember.await(WAIT, () -> a.assignment().equals(partitions), () -> GroupMember.describe(a));
            a.onPollThread(c -> c.commitSync());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(40);
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(description.members()).extracting(MemberDescription::consumerId).hasSize(1);
        }
    }
}
