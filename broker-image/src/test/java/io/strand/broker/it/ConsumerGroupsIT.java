package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumer groups with the Java consumer (classic protocol, every client-side assignor) and the Admin client. */
class ConsumerGroupsIT {
    static final Map<String, String> BROKER = Map.of(
            "group.initial.rebalance.delay.ms", "100",
            "group.min.session.timeout.ms", "500",
            "offsets.topic.num.partitions", "5",
            "group.consumer.heartbeat.interval.ms", "300",
            "group.consumer.session.timeout.ms", "3000");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static BrokerProcess broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start(dir.resolve("data"), BROKER);
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    static Map<String, Object> classic(String assignor) {
        return Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 2000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
    }

    static Set<TopicPartition> createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(15, TimeUnit.SECONDS);
        return IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(name, p)).collect(Collectors.toSet());
    }

    static void produce(String topic, int partitions, int perPartition) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, p + "-" + i));
                }
            }
            producer.flush();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void membersSplitPartitionsAndRebalanceWhenOneLeaves(String assignor) throws Exception {
        String topic = "split-" + assignor;
        String group = "group-" + assignor;
        Set<TopicPartition> partitions = createTopic(topic, 4);
        produce(topic, 4, 25);
        String strategy = switch (assignor) {
            case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
            case "roundrobin" -> "org.apache.kafka.clients.consumer.RoundRobinAssignor";
            case "sticky" -> "org.apache.kafka.clients.consumer.StickyAssignor";
            default -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
        };
        try (GroupMember a = new GroupMember(broker.bootstrap(), group, List.of(topic), classic(strategy));
             GroupMember b = new GroupMember(broker.bootstrap(), group, List.of(topic), classic(strategy));
             GroupMember c = new GroupMember(broker.bootstrap(), group, List.of(topic), classic(strategy))) {
            GroupMember.awaitSplit(partitions, WAIT, a, b, c);
            GroupMember.await(WAIT, () -> a.records.size() + b.records.size() + c.records.size() >= 100, () -> GroupMember.describe(a, b, c));
            // every record consumed once: each partition had exactly one owner while the records were read
            Set<String> values = new HashSet<>();
            List.of(a, b, c).forEach(m -> m.records.forEach(r -> values.add(r.value())));
            assertThat(values).hasSize(100);

            c.close(); // a clean close sends LeaveGroup
            GroupMember.awaitSplit(partitions, WAIT, a, b);
        }
    }

    @Test
    void aKilledMemberIsRemovedWhenItsSessionTimesOut() throws Exception {
        String topic = "dead-member";
        String group = "dead-member-group";
        Set<TopicPartition> partitions = createTopic(topic, 4);
        try (GroupMember alive = new GroupMember(broker.bootstrap(), group, List.of(topic), classic("org.apache.kafka.clients.consumer.RangeAssignor"));
             ConsumerProcess doomed = new ConsumerProcess(broker.bootstrap(), group, topic, 2000)) {
            GroupMember.await(WAIT, () -> alive.assignment().size() == 2 && doomed.assignment().split(",").length == 2,
                    () -> GroupMember.describe(alive) + " / " + doomed.assignment());
            long killedAt = System.nanoTime();
            doomed.kill(); // kill -9: no LeaveGroup, no heartbeats
            GroupMember.await(WAIT, () -> alive.assignment().equals(partitions), () -> GroupMember.describe(alive));
            // the session timeout (2 s), not the rebalance timeout (max.poll.interval.ms, 5 min), removed it
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void staticMemberRestartsWithoutARebalance() throws Exception {
        String topic = "static";
        String group = "static-group";
        Set<TopicPartition> partitions = createTopic(topic, 4);
        Map<String, Object> first = new HashMap<>(classic("org.apache.kafka.clients.consumer.RangeAssignor"));
        first.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-1");
        first.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        Map<String, Object> second = new HashMap<>(first);
        second.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-2");
        try (GroupMember a = new GroupMember(broker.bootstrap(), group, List.of(topic), first);
             GroupMember b = new GroupMember(broker.bootstrap(), group, List.of(topic), second)) {
            GroupMember.awaitSplit(partitions, WAIT, a, b);
            int generation = a.generation();
            Set<TopicPartition> assignedToB = b.assignment();
            b.close(); // a static member does not leave on close
            try (GroupMember restarted = new GroupMember(broker.bootstrap(), group, List.of(topic), second)) {
                GroupMember.await(WAIT, () -> restarted.assignment().equals(assignedToB), () -> GroupMember.describe(a, restarted));
                Thread.sleep(1000); // a few heartbeats of the other member
                assertThat(a.generation()).as("the other member saw no rebalance").isEqualTo(generation);
                assertThat(restarted.generation()).isEqualTo(generation);
            }
        }
    }

    @Test
    void committedOffsetsAndAdminOperations() throws Exception {
        String topic = "commits";
        String group = "commit-group";
        Set<TopicPartition> partitions = createTopic(topic, 2);
        produce(topic, 2, 10);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (GroupMember member = new GroupMember(broker.bootstrap(), group, List.of(topic), classic("org.apache.kafka.clients.consumer.RangeAssignor"))) {
            GroupMember.await(WAIT, () -> member.records.size() == 20, () -> GroupMember.describe(member));
            member.onPollThread(c -> c.commitSync(Map.of(p0, new OffsetAndMetadata(member.positions.get(p0), "sync"))));
            member.onPollThread(c -> c.commitAsync(Map.of(p1, new OffsetAndMetadata(7, "async")), null));
            GroupMember.await(WAIT, () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                    return committed.containsKey(p1);
                } catch (Exception e) {
                    return false;
                }
            }, () -> "async commit");
            Map<TopicPartition, OffsetAndMetadata>[] seen = new Map[1];
            member.onPollThread(c -> seen[0] = c.committed(partitions));
            assertThat(seen[0].get(p0).offset()).isEqualTo(10);
            assertThat(seen[0].get(p0).metadata()).isEqualTo("sync");
            assertThat(seen[0].get(p1).offset()).isEqualTo(7);

            assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()).extracting(GroupListing::groupId).contains(group);
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.type()).isEqualTo(GroupType.CLASSIC);
            assertThat(description.members()).hasSize(1);
            MemberDescription m = description.members().iterator().next();
            assertThat(m.assignment().topicPartitions()).isEqualTo(partitions);

            // lag = end offset - committed offset
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(Map.of(p0, OffsetSpec.latest(), p1, OffsetSpec.latest())).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            assertThat(ends.get(p0) - committed.get(p0).offset()).isZero();
            assertThat(ends.get(p1) - committed.get(p1).offset()).isEqualTo(3);

            // the group is not empty: its offsets cannot be deleted or altered
            assertThat(admin.deleteConsumerGroups(List.of(group)).all()).failsWithin(WAIT);
        }
        GroupMember.await(WAIT, () -> {
            try {
                return admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState() == GroupState.EMPTY;
            } catch (Exception e) {
                return false;
            }
        }, () -> "group empty");
        admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(3))).all().get();
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(p0).offset()).isEqualTo(3);
        admin.deleteConsumerGroupOffsets(group, Set.of(p1)).all().get();
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).containsOnlyKeys(p0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int first = -1;
            while (first < 0 && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.partition() == 0) {
                        first = (int) r.offset();
                        break;
                    }
                }
            }
            assertThat(first).as("a restarted consumer resumes from the altered offset").isEqualTo(3);
        }
        GroupMember.await(WAIT, () -> {
            try {
                admin.deleteConsumerGroups(List.of(group)).all().get();
                return true;
            } catch (Exception e) {
                return false;
            }
        }, () -> "delete group");
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
        assertThat(admin.listGroups().all().get()).extracting(GroupListing::groupId).doesNotContain(group);
    }
}
