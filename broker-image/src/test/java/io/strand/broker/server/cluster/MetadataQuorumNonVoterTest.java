package io.strand.broker.server.cluster;

import static io.strand.broker.server.cluster.MetadataQuorumTest.await;
import static io.strand.broker.server.cluster.MetadataQuorumTest.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real Ratis voters plus non-voting members (Raft listeners) on loopback. */
class MetadataQuorumNonVoterTest {
    @TempDir
    Path dir;
    private final List<MetadataQuorum> running = new ArrayList<>();
    private final Map<Integer, MetadataQuorum.Address> addresses = new HashMap<>();

    @AfterEach
    void stopAll() {
        running.forEach(MetadataQuorum::close);
    }

    @Test
    void nonVotersJoinReceiveTheLogAndNeverLead() throws Exception {
        List<MetadataQuorum.Voter> voters = voters();
        MetadataQuorum[] nodes = new MetadataQuorum[6];
        // the non-voters first: they must keep asking until the voters have elected a leader
        for (int id : new int[] {4, 5, 1, 2, 3}) {
            nodes[id] = start(id, voters, p -> { });
        }
        await(() -> nodes[1].nonVoters().equals(java.util.Set.of(4, 5)), "both non-voters in the configuration");
        TopicMetadata topic = new TopicMetadata("t", Uuid.randomUuid(), Map.of(), List.of(PartitionState.initial(List.of(4, 5, 1), List.of(4, 5, 1), 4)));
        assertThat(nodes[4].submit(new MetadataRecord.CreateTopic(topic)).get(30, TimeUnit.SECONDS).ok()).isTrue();
        for (int id = 1; id <= 5; id++) {
            MetadataQuorum node = nodes[id];
            await(() -> node.image().topics().containsKey("t"), "topic on node " + id);
        }
        assertThat(nodes[4].isLeader()).isFalse();
        assertThat(nodes[5].isLeader()).isFalse();
        assertThat(nodes[4].leaderId()).isIn(1, 2, 3);

        // the controller dies: the new one sends the log to the non-voters too
        int leader = nodes[4].leaderId();
        nodes[leader].close();
        running.remove(nodes[leader]);
        assertThat(nodes[5].submit(new MetadataRecord.AllocateProducerIds(1000)).get(30, TimeUnit.SECONDS).ok()).isTrue();
        await(() -> nodes[4].image().nextProducerId() == 1000, "non-voter 4 applying a record of the new leader");
        await(() -> nodes[4].leaderId() > 0 && nodes[4].leaderId() != leader, "non-voter 4 knowing the new leader");
        assertThat(nodes[4].leaderId()).isIn(1, 2, 3);

        // a stopped non-voter is removed; the other stays
        nodes[5].close();
        running.remove(nodes[5]);
        int survivor = leader == 1 ? 2 : 1;
        assertThat(nodes[survivor].removeNonVoter(5).get(30, TimeUnit.SECONDS)).isTrue();
        await(() -> nodes[survivor].nonVoters().equals(java.util.Set.of(4)), "only non-voter 4 left");
        assertThat(nodes[survivor].removeNonVoter(5).get(30, TimeUnit.SECONDS)).as("removing twice is a no-op").isTrue();
        assertThat(nodes[survivor].removeNonVoter(survivor).get(30, TimeUnit.SECONDS)).as("voters are not removed").isFalse();
    }

    @Test
    void restartedNonVoterCatchesUpFromASnapshot() throws Exception {
        // snapshots every few entries and small log segments, so the leader purges what a returning member lacks
        Consumer<RaftProperties> tuning = p -> {
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 20);
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("2KB"));
            RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("2KB"));
            RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        };
        List<MetadataQuorum.Voter> voters = voters();
        MetadataQuorum[] nodes = new MetadataQuorum[5];
        for (int id = 1; id <= 4; id++) {
            nodes[id] = start(id, voters, tuning);
        }
        await(() -> nodes[1].nonVoters().contains(4), "non-voter 4 in the configuration");
        for (int i = 0; i < 20; i++) {
            assertThat(nodes[1].submit(new MetadataRecord.AllocateProducerIds(10)).get(30, TimeUnit.SECONDS).ok()).isTrue();
        }
        await(() -> nodes[4].image().nextProducerId() == 200, "non-voter 4 caught up");
        nodes[4].close();
        running.remove(nodes[4]);
        for (int i = 0; i < 100; i++) {
            assertThat(nodes[1].submit(new MetadataRecord.AllocateProducerIds(10)).get(30, TimeUnit.SECONDS).ok()).isTrue();
        }
        await(() -> nodes[1].logStartIndex() > 50 && nodes[2].logStartIndex() > 50 && nodes[3].logStartIndex() > 50, "voters purged their logs up to a snapshot");

        // same data directory: a non-voter starts empty anyway, and gets the leader's snapshot plus the log after it
        MetadataQuorum restarted = start(4, voters, tuning);
        await(() -> restarted.image().nextProducerId() == 1200, "the restarted non-voter catching up");
        assertThat(restarted.logStartIndex()).as("log of the restarted non-voter starts after a snapshot").isGreaterThan(50);
        assertThat(restarted.submit(new MetadataRecord.AllocateProducerIds(10)).get(30, TimeUnit.SECONDS).ok()).isTrue();
        await(() -> restarted.image().nextProducerId() == 1210, "a new record applied by the restarted non-voter");
    }

    private List<MetadataQuorum.Voter> voters() throws IOException {
        List<MetadataQuorum.Voter> voters = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            voters.add(new MetadataQuorum.Voter(id, "127.0.0.1", freePort()));
        }
        return voters;
    }

    private MetadataQuorum start(int id, List<MetadataQuorum.Voter> voters, Consumer<RaftProperties> tuning) throws IOException {
        MetadataQuorum.Address address = addresses.computeIfAbsent(id, k -> new MetadataQuorum.Address("127.0.0.1", port()));
        MetadataQuorum quorum = MetadataQuorum.start(id, voters, address, "127.0.0.1", dir.resolve("node-" + id), tuning);
        running.add(quorum);
        return quorum;
    }

    private static int port() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
