package io.strand.broker.server.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to the non-voting members (Raft listeners) of the metadata quorum, made through the leader's
 * configuration: a non-voter adds itself when it starts, and an unregistered broker is removed.
 *
 * <p>Every change is a compare-and-set against the leader's current configuration, not Ratis' ADD mode: in Ratis
 * 3.1.3 the leader builds an ADD's new configuration from the request's listeners alone, which would drop every
 * other non-voter. A concurrent change makes the compare fail and the caller tries again later. Calls block; they
 * run on the quorum's own threads.
 */
final class QuorumMembership {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumMembership.class);

    /** The members of the leader's configuration. */
    record Conf(List<RaftPeer> servers, List<RaftPeer> listeners) {
    }

    private final RaftGroupId groupId;
    private final List<RaftPeer> voters;
    private final RaftClient client;
    private final IntSupplier leaderHint;

    QuorumMembership(RaftGroupId groupId, List<RaftPeer> voters, RaftClient client, IntSupplier leaderHint) {
        this.groupId = groupId;
        this.voters = voters;
        this.client = client;
        this.leaderHint = leaderHint;
    }

    /** The listener list with {@code self} in it, or empty when it is already there at the same address. */
    static Optional<List<RaftPeer>> withListener(List<RaftPeer> listeners, RaftPeer self) {
        for (RaftPeer peer : listeners) {
            if (peer.getId().equals(self.getId()) && peer.getAddress().equals(self.getAddress())) {
                return Optional.empty();
            }
        }
        // same id at another address (a pod rescheduled elsewhere): replaced, so the leader sends to the new one
        List<RaftPeer> next = new ArrayList<>(without(listeners, self.getId()));
        next.add(self);
        return Optional.of(next);
    }

    /** The listener list without {@code id}, or empty when it is not there. */
    static Optional<List<RaftPeer>> withoutListener(List<RaftPeer> listeners, RaftPeerId id) {
        List<RaftPeer> next = without(listeners, id);
        return next.size() == listeners.size() ? Optional.empty() : Optional.of(next);
    }

    private static List<RaftPeer> without(List<RaftPeer> listeners, RaftPeerId id) {
        return listeners.stream().filter(p -> !p.getId().equals(id)).toList();
    }

    /** Exponential backoff from 200 ms, capped at 5 s: fast while a new cluster elects its first leader, quiet later. */
    static long backoffMs(int attempt) {
        return Math.min(5_000L, 200L << Math.min(Math.max(attempt, 0), 5));
    }

    static RaftPeer peer(RaftPeer member, RaftPeerRole role) {
        return RaftPeer.newBuilder(member).setStartupRole(role).build();
    }

    /** The leader's configuration, or empty while there is no leader. */
    Optional<Conf> leaderConf() {
        List<RaftPeer> order = new ArrayList<>(voters);
        int hint = leaderHint.getAsInt();
        // the leader this node already knows first: usually one RPC instead of one per voter
        order.sort((a, b) -> Boolean.compare(!a.getId().equals(MetadataQuorum.peerId(hint)), !b.getId().equals(MetadataQuorum.peerId(hint))));
        for (RaftPeer voter : order) {
            try {
                GroupInfoReply info = client.getGroupManagementApi(voter.getId()).info(groupId);
                if (info.getRoleInfoProto().getRole() != RaftPeerRole.LEADER) {
                    continue;
                }
                // Ratis 3.1.3 leaves the configuration out of the group-info reply on the wire, but the group lists
                // every member of it; voters are fixed by configuration, so whoever is not one is a listener.
                Set<RaftPeerId> voterIds = voters.stream().map(RaftPeer::getId).collect(Collectors.toSet());
                List<RaftPeer> members = List.copyOf(info.getGroup().getPeers());
                return Optional.of(new Conf(members.stream().filter(p -> voterIds.contains(p.getId())).map(p -> peer(p, RaftPeerRole.FOLLOWER)).toList(),
                        members.stream().filter(p -> !voterIds.contains(p.getId())).map(p -> peer(p, RaftPeerRole.LISTENER)).toList()));
            } catch (IOException | RuntimeException e) {
                LOG.debug("Voter {} did not describe the metadata quorum: {}", voter.getId(), e.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * One attempt to change the listeners: true when the leader's configuration has what {@code edit} wants (already,
     * or after this change committed), false when it could not be done now (no leader, a change in progress, a
     * concurrent change). {@code edit} answers empty for "nothing to change".
     */
    /**
     * One attempt to change the listeners: true when the leader's configuration has what {@code edit} wants (already,
     * or after this change committed), false when it could not be done now (no leader, a change in progress, a
     * concurrent change). {@code edit} answers empty for "nothing to change".
     */
    boolean changeListeners(Function<List<RaftPeer>, Optional<List<RaftPeer>>> edit) {
        Optional<Conf> conf = leaderConf();
        if (conf.isEmpty()) {
            return false;
        }
        Optional<List<RaftPeer>> listeners = edit.apply(conf.get().listeners());
        if (listeners.isEmpty()) {
            return true;
        }
        SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                .setServersInCurrentConf(conf.get().servers()).setListenersInCurrentConf(conf.get().listeners())
                .setServersInNewConf(conf.get().servers()).setListenersInNewConf(listeners.get())
                .build();
        try {
            RaftClientReply reply = client.admin().setConfiguration(arguments);
            if (!reply.isSuccess()) {
                LOG.debug("The metadata quorum refused listeners {}: {}", listeners.get(), reply.getException());
            }
            return reply.isSuccess();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Changing the metadata quorum's listeners to {} failed: {}", listeners.get(), e.toString());
            return false;
        }
    }
}
