package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed offsets and group state survive kill -9 of the broker: they are in __consumer_offsets before the response. */
class GroupDurabilityIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void offsetsAndGroupStateSurviveKillNine() throws Exception {
        String topic = "durable";
        String group = "durable-group";
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), ConsumerGroupsIT.BROKER)) {
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(15, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2, "k", "v" + i));
                }
                producer.flush();
            }
            try (GroupMember member = new GroupMember(broker.bootstrap(), group, List.of(topic),
                    ConsumerGroupsIT.classic("org.apache.kafka.clients.consumer.RangeAssignor"))) {
                GroupMember.await(WAIT, () -> member.records.size() == 20, () -> GroupMember.describe(member));
                member.onPollThread(c -> c.commitSync(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(9, "nine"))));
                int generation = member.generation();
                String memberId;
                try (Admin admin = Clients.admin(broker.bootstrap())) {
                    memberId = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().iterator().next().consumerId();
                }

                broker.kill(); // right after the commit was acknowledged
                broker.restart();

                try (Admin admin = Clients.admin(broker.bootstrap())) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                    assertThat(committed.get(p0).offset()).isEqualTo(10);
                    assertThat(committed.get(p1).offset()).isEqualTo(9);
                    assertThat(committed.get(p1).metadata()).isEqualTo("nine");
                    // The group came back with its member: the running consumer is still known by its member id. (The Java
                    // client itself rejoins once when its leader saw the broker vanish, so the generation may move by one.)
                    GroupMember.await(WAIT, () -> {
                        try {
                            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                            return d.groupState() == GroupState.STABLE && d.members().size() == 1;
                        } catch (Exception e) {
                            return false;
                        }
                    }, () -> "stable group after restart");
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    assertThat(description.members().iterator().next().consumerId()).isEqualTo(memberId);
                    assertThat(member.generation()).isBetween(generation, generation + 1);
                    assertThat(member.failure()).isNull();
                }
            }
        }
    }
}
