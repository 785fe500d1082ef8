package io.strand.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

class QuorumMembershipTest {
    private static RaftPeer listener(int id, String address) {
        return RaftPeer.newBuilder().setId(MetadataQuorum.peerId(id)).setAddress(address).setStartupRole(RaftPeerRole.LISTENER).build();
    }

    private static List<String> describe(List<RaftPeer> peers) {
        return peers.stream().map(p -> p.getId() + "@" + p.getAddress()).toList();
    }

    @Test
    void addingKeepsOtherListenersAndIsIdempotent() {
        List<RaftPeer> current = List.of(listener(4, "h4:9093"));
        List<RaftPeer> added = QuorumMembership.withListener(current, listener(5, "h5:9093")).orElseThrow();
        assertThat(describe(added)).containsExactly("broker-4@h4:9093", "broker-5@h5:9093");
        assertThat(QuorumMembership.withListener(added, listener(5, "h5:9093"))).isEmpty();
        assertThat(QuorumMembership.withListener(added, listener(4, "h4:9093"))).isEmpty();
    }

    @Test
    void aMovedListenerIsReplaced() {
        List<RaftPeer> current = List.of(listener(4, "old:9093"), listener(5, "h5:9093"));
        List<RaftPeer> moved = QuorumMembership.withListener(current, listener(4, "new:9093")).orElseThrow();
        assertThat(describe(moved)).containsExactly("broker-5@h5:9093", "broker-4@new:9093");
    }

    @Test
    void removingOnlyWhatIsThere() {
        List<RaftPeer> current = List.of(listener(4, "h4:9093"), listener(5, "h5:9093"));
        assertThat(describe(QuorumMembership.withoutListener(current, MetadataQuorum.peerId(4)).orElseThrow())).containsExactly("broker-5@h5:9093");
        assertThat(QuorumMembership.withoutListener(current, RaftPeerId.valueOf("broker-9"))).isEmpty();
        assertThat(QuorumMembership.withoutListener(List.of(), MetadataQuorum.peerId(4))).isEmpty();
    }

    @Test
    void backoffGrowsAndIsCapped() {
        assertThat(QuorumMembership.backoffMs(0)).isEqualTo(200);
        assertThat(QuorumMembership.backoffMs(1)).isEqualTo(400);
        assertThat(QuorumMembership.backoffMs(4)).isEqualTo(3_200);
        assertThat(QuorumMembership.backoffMs(5)).isEqualTo(5_000);
        assertThat(QuorumMembership.backoffMs(1_000_000)).isEqualTo(5_000);
        assertThat(QuorumMembership.backoffMs(-3)).isEqualTo(200);
    }
}
