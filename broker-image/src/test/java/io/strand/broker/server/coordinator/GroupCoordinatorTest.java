package io.strand.broker.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator without a network: the classic state machine, KIP-848 reconciliation, and reload from the log. */
class GroupCoordinatorTest {
    @TempDir
    Path dir;
    BrokerConfig config;
    LogManager logs;
    GroupCoordinator coordinator;

    @BeforeEach
    void setUp() throws Exception {
        config = BrokerConfig.from(Map.of("log.dirs", dir.toString(), "group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "2",
                "group.min.session.timeout.ms", "100"));
        logs = io.strand.broker.server.SingleNode.logManager(config, dir.resolve("meta"));
        logs.createTopic("t", 4, Map.of());
        coordinator = start();
    }

    private GroupCoordinator start() throws Exception {
        GroupCoordinator c = new GroupCoordinator(logs, GroupConfig.from(config), Clock.systemUTC());
        c.start((short) 1);
        assertThat(c.awaitLoaded(Duration.ofSeconds(10))).isTrue();
        return c;
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        logs.close();
    }

    private CompletableFuture<JoinGroupResponseData> join(String group, String memberId, int sessionTimeoutMs, String... protocols) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection list = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            list.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p).setMetadata(p.getBytes()));
        }
        return coordinator.joinGroup(new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setProtocolType("consumer")
                .setSessionTimeoutMs(sessionTimeoutMs).setRebalanceTimeoutMs(5000).setProtocols(list), (short) 9, "client", "/127.0.0.1");
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private ClassicGroup classic(String groupId) {
        return (ClassicGroup) coordinator.groups().stream().filter(g -> g.groupId().equals(groupId)).findFirst().orElseThrow();
    }

    /** Two members join and sync; returns [leader, follower] member ids. */
    private String[] stableGroupOfTwo(String group) throws Exception {
        String a = get(join(group, "", 10_000, "range", "roundrobin")).memberId();
        String b = get(join(group, "", 10_000, "roundrobin", "range")).memberId();
        CompletableFuture<JoinGroupResponseData> ja = join(group, a, 10_000, "range", "roundrobin");
        assertThat(classic(group).state()).isIn(ClassicGroupState.PREPARING_REBALANCE, ClassicGroupState.COMPLETING_REBALANCE);
        CompletableFuture<JoinGroupResponseData> jb = join(group, b, 10_000, "roundrobin", "range");
        JoinGroupResponseData ra = get(ja);
        JoinGroupResponseData rb = get(jb);
        assertThat(ra.generationId()).isEqualTo(rb.generationId()).isEqualTo(1);
        assertThat(ra.leader()).isEqualTo(a);
        assertThat(ra.members()).hasSize(2);
        assertThat(rb.members()).isEmpty();
        assertThat(ra.protocolName()).isIn("range", "roundrobin");
        assertThat(classic(group).state()).isEqualTo(ClassicGroupState.COMPLETING_REBALANCE);
        CompletableFuture<SyncGroupResponseData> sb = coordinator.syncGroup(new SyncGroupRequestData().setGroupId(group).setGenerationId(1).setMemberId(b),
                (short) 5);
        assertThat(sb).isNotDone();
        SyncGroupResponseData sa = get(coordinator.syncGroup(new SyncGroupRequestData().setGroupId(group).setGenerationId(1).setMemberId(a)
                .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(a).setAssignment(new byte[] {1}),
                        new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(b).setAssignment(new byte[] {2}))), (short) 5));
        assertThat(sa.assignment()).containsExactly(1);
        assertThat(get(sb).assignment()).containsExactly(2);
        assertThat(classic(group).state()).isEqualTo(ClassicGroupState.STABLE);
        return new String[] {a, b};
    }

    private Errors heartbeat(String group, String member, int generation) throws Exception {
        return Errors.forCode(get(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(member).setGenerationId(generation)))
                .errorCode());
    }

    @Test
    void classicGroupGoesThroughItsStates() throws Exception {
        assertThat(get(join("other", "", 10_000, "range")).errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        String[] members = stableGroupOfTwo("g");
        assertThat(heartbeat("g", members[1], 1)).isEqualTo(Errors.NONE);
        assertThat(heartbeat("g", members[1], 0)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(heartbeat("g", "nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(get(join("g", "", 10_000, "sticky")).errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());

        // the leader rejoining starts a rebalance; the other member learns of it from its heartbeat
        CompletableFuture<JoinGroupResponseData> leader = join("g", members[0], 10_000, "range", "roundrobin");
        assertThat(classic("g").state()).isEqualTo(ClassicGroupState.PREPARING_REBALANCE);
        assertThat(heartbeat("g", members[1], 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        get(join("g", members[1], 10_000, "roundrobin", "range"));
        assertThat(get(leader).generationId()).isEqualTo(2);
    }

    @Test
    void aMemberWithoutHeartbeatsIsRemovedAfterItsSessionTimeout() throws Exception {
        String a = get(join("s", "", 300, "range")).memberId();
        assertThat(get(join("s", a, 300, "range")).generationId()).isEqualTo(1);
        get(coordinator.syncGroup(new SyncGroupRequestData().setGroupId("s").setGenerationId(1).setMemberId(a), (short) 5));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!classic("s").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(classic("s").state()).isEqualTo(ClassicGroupState.EMPTY);
        assertThat(classic("s").generationId).isEqualTo(2);
    }

    @Test
    void groupsAndOffsetsAreRebuiltFromTheLog() throws Exception {
        String[] members = stableGroupOfTwo("reloaded");
        coordinator.offsetCommit(new OffsetCommitRequestData().setGroupId("reloaded").setGenerationIdOrMemberEpoch(1).setMemberId(members[0])
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(2).setCommittedOffset(42))))), (short) 9).get();
        get(coordinator.offsetCommit(new OffsetCommitRequestData().setGroupId("deleted").setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))))), (short) 9));
        assertThat(get(coordinator.admin().deleteGroup("deleted")).errorCode()).isZero();
        coordinator.close();

        coordinator = start();
        ClassicGroup group = classic("reloaded");
        assertThat(group.state()).isEqualTo(ClassicGroupState.STABLE);
        assertThat(group.generationId).isEqualTo(1);
        assertThat(group.leaderId).isEqualTo(members[0]);
        assertThat(group.members.keySet()).containsExactly(members);
        assertThat(group.member(members[1]).assignment).containsExactly(2);
        assertThat(coordinator.committedOffsets("reloaded")).isEqualTo(Map.of(new TopicPartition("t", 2), 42L));
        assertThat(coordinator.groups()).extracting(Group::groupId).doesNotContain("deleted");
        assertThat(heartbeat("reloaded", members[1], 1)).as("members carry on without a rebalance").isEqualTo(Errors.NONE);
    }

    private ConsumerGroupHeartbeatResponseData cgh(String member, int epoch, Map<Uuid, Set<Integer>> owned) throws Exception {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData().setGroupId("cg").setMemberId(member).setMemberEpoch(epoch);
        if (epoch == 0) {
            request.setSubscribedTopicNames(List.of("t")).setRebalanceTimeoutMs(5000);
        }
        if (owned != null) {
            List<ConsumerGroupHeartbeatRequestData.TopicPartitions> list = new java.util.ArrayList<>();
            owned.forEach((t, p) -> list.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(t).setPartitions(List.copyOf(p))));
            request.setTopicPartitions(list);
        }
        ConsumerGroupHeartbeatResponseData response = get(coordinator.consumerGroupHeartbeat(request, "client", "/127.0.0.1"));
        assertThat(response.errorCode()).as(response.errorMessage()).isZero();
        return response;
    }

    private static Map<Uuid, Set<Integer>> assigned(ConsumerGroupHeartbeatResponseData response) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        response.assignment().topicPartitions().forEach(tp -> out.put(tp.topicId(), Set.copyOf(tp.partitions())));
        return out;
    }

    @Test
    void consumerGroupMovesPartitionsOnlyAfterTheyAreRevoked() throws Exception {
        Uuid t = logs.topic("t").id();
        ConsumerGroupHeartbeatResponseData a = cgh("a", 0, Map.of());
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(assigned(a)).isEqualTo(Map.of(t, Set.of(0, 1, 2, 3)));

        ConsumerGroupHeartbeatResponseData b = cgh("b", 0, Map.of());
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(b.assignment().topicPartitions()).as("a still owns everything").isEmpty();

        ConsumerGroupHeartbeatResponseData a2 = cgh("a", 1, null);
        assertThat(a2.memberEpoch()).as("epoch waits for the revocation").isEqualTo(1);
        Set<Integer> kept = assigned(a2).get(t);
        assertThat(kept).hasSize(2);
        assertThat(cgh("b", 2, null).assignment()).as("nothing released yet").isNull();
        assertThatFenced("a", 0);

        ConsumerGroupHeartbeatResponseData a3 = cgh("a", 1, Map.of(t, kept)); // acknowledges the revocation
        assertThat(a3.memberEpoch()).isEqualTo(2);
        ConsumerGroupHeartbeatResponseData b2 = cgh("b", 2, Map.of());
        Set<Integer> released = new java.util.HashSet<>(Set.of(0, 1, 2, 3));
        released.removeAll(kept);
        assertThat(assigned(b2)).isEqualTo(Map.of(t, released));

        ConsumerGroupHeartbeatResponseData left = cgh("b", -1, null);
        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(assigned(cgh("a", 2, null)).get(t)).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    private void assertThatFenced(String member, int epoch) throws Exception {
        ConsumerGroupHeartbeatResponseData response = get(coordinator.consumerGroupHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("cg")
                .setMemberId(member).setMemberEpoch(epoch + 5), "client", "/127.0.0.1"));
        assertThat(response.errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
    }

    @Test
    void aGroupIdHasOneType() throws Exception {
        stableGroupOfTwo("classic");
        ConsumerGroupHeartbeatResponseData response = get(coordinator.consumerGroupHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("classic")
                .setMemberId("x").setMemberEpoch(0).setSubscribedTopicNames(List.of("t")), "client", "/127.0.0.1"));
        assertThat(response.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        cgh("a", 0, Map.of());
        assertThat(get(coordinator.joinGroup(new JoinGroupRequestData().setGroupId("cg").setMemberId("").setProtocolType("consumer")
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(1000).setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(
                        List.of(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0])).iterator())),
                (short) 9, "c", "h")).errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
    }
}
