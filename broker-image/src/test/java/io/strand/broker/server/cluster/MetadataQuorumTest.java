package io.strand.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real Ratis voters on loopback: records commit on all, a new leader takes over, a restarted voter catches up. */
class MetadataQuorumTest {
    @TempDir
    Path dir;
    private final List<MetadataQuorum> running = new ArrayList<>();

    @AfterEach
    void stopAll() {
        running.forEach(MetadataQuorum::close);
    }

    @Test
    void recordsReplicateAndSurviveTheLossOfTheLeader() throws Exception {
        List<MetadataQuorum.Voter> voters = List.of(new MetadataQuorum.Voter(1, "127.0.0.1", freePort()),
                new MetadataQuorum.Voter(2, "127.0.0.1", freePort()), new MetadataQuorum.Voter(3, "127.0.0.1", freePort()));
        MetadataQuorum[] nodes = new MetadataQuorum[4];
        for (int id = 1; id <= 3; id++) {
            nodes[id] = start(id, voters);
        }
        TopicMetadata topic = new TopicMetadata("t", Uuid.randomUuid(), Map.of(), List.of(PartitionState.initial(List.of(1, 2, 3), List.of(1, 2, 3), 1)));
        MetadataLog.Result created = nodes[1].submit(new MetadataRecord.CreateTopic(topic)).get(30, TimeUnit.SECONDS);
        assertThat(created.ok()).isTrue();
        for (int id = 1; id <= 3; id++) {
            MetadataQuorum node = nodes[id];
            await(() -> node.image().topics().containsKey("t"), "topic on node " + node.nodeId());
        }
        assertThat(nodes[2].submit(new MetadataRecord.CreateTopic(topic)).get(30, TimeUnit.SECONDS).error()).contains("already exists");

        await(() -> nodes[1].leaderId() > 0, "a leader");
        int leader = nodes[1].leaderId();
        nodes[leader].close();
        running.remove(nodes[leader]);
        int survivor = leader == 1 ? 2 : 1;
        MetadataLog.Result allocated = nodes[survivor].submit(new MetadataRecord.AllocateProducerIds(1000)).get(30, TimeUnit.SECONDS);
        assertThat(allocated.ok()).isTrue();
        await(() -> nodes[survivor].leaderId() > 0 && nodes[survivor].leaderId() != leader, "a new leader");

        MetadataQuorum restarted = start(leader, voters);
        await(() -> restarted.image().nextProducerId() == 1000 && restarted.image().topics().containsKey("t"), "the restarted voter catching up");
    }

    private MetadataQuorum start(int id, List<MetadataQuorum.Voter> voters) throws IOException {
        MetadataQuorum quorum = MetadataQuorum.start(id, voters, "127.0.0.1", dir.resolve("node-" + id));
        running.add(quorum);
        return quorum;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static int freePort() throws IOException {
        return io.strand.broker.it.FreePorts.next();
    }
}
