package io.strand.broker.server.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's metadata quorum, on Apache Ratis: this broker's Raft server plus a client that sends records to
 * whichever voter leads. The leader is the controller. A broker listed in {@code controller.quorum.voters} is a
 * voter; any other broker is a non-voting member (a Raft listener): it receives and applies the metadata log but
 * never votes or leads, so brokers can come and go without touching the quorum's majority.
 *
 * <p>Why Ratis: an Apache project used in production by Ozone and IoTDB, a plain library (no ZooKeeper, no
 * framework), pluggable state machine, snapshots and log purging built in, and a Netty transport. Kafka's own KRaft
 * is bound to Kafka's broker internals; JRaft and MicroRaft are either not served here or far less used.
 * Thread-safe.
 */
public final class MetadataQuorum implements MetadataLog {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataQuorum.class);
    /** All Strand clusters use one Raft group id: a data directory never holds two groups. */
    private static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("strand-metadata".getBytes(StandardCharsets.UTF_8)));

    /** One voter of the quorum: a broker id and its Raft address. */
    public record Voter(int id, String host, int port) {
        RaftPeer peer() {
            return RaftPeer.newBuilder().setId(peerId(id)).setAddress(host + ":" + port).build();
        }

        /** Parses Kafka's {@code controller.quorum.voters} form: {@code 1@host:9093,2@host:9093}. */
        public static List<Voter> parseList(String value) {
            return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> {
                int at = s.indexOf('@');
                int colon = s.lastIndexOf(':');
                if (at <= 0 || colon <= at) {
                    throw new IllegalArgumentException("voter '" + s + "' is not id@host:port");
                }
                return new Voter(Integer.parseInt(s.substring(0, at)), s.substring(at + 1, colon), Integer.parseInt(s.substring(colon + 1)));
            }).toList();
        }
    }

    /** How often a non-voter checks that the leader's configuration still lists it. */
    private static final long MEMBERSHIP_RECHECK_MS = 10_000;

    private final int nodeId;
    private final List<Voter> voters;
    private final RaftServer server;
    private final RaftClient client;
    private final RaftClient admin;
    private final QuorumMembership membership;
    private final MetadataStateMachine stateMachine;
    private final ScheduledExecutorService membershipTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strand-metadata-membership");
        t.setDaemon(true);
        return t;
    });
    /** Touched only on the membership thread. */
    private boolean joined;
    private int joinFailures;
    /**
     * Ratis' blocking client follows leader changes and retries (its Netty async client does not), so requests run
     * on these threads; the callers still get futures.
     */
    private final ExecutorService requests = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "strand-metadata-client");
        t.setDaemon(true);
        return t;
    });

    private MetadataQuorum(int nodeId, List<Voter> voters, RaftServer server, RaftClient client, RaftClient admin, MetadataStateMachine stateMachine) {
        this.nodeId = nodeId;
        this.voters = List.copyOf(voters);
        this.server = server;
        this.client = client;
        this.admin = admin;
        this.stateMachine = stateMachine;
        this.membership = new QuorumMembership(GROUP_ID, voters.stream().map(Voter::peer).toList(), admin, this::leaderId);
    }

    static RaftPeerId peerId(int brokerId) {
        return RaftPeerId.valueOf("broker-" + brokerId);
    }

    /** Where the voters reach a non-voting broker's Raft server. */
    public record Address(String host, int port) {
    }

    /** Starts this broker as a voter, listening on {@code bindHost} and the port its voter entry names; {@code dir} keeps the Raft log and snapshots. */
    public static MetadataQuorum start(int nodeId, List<Voter> voters, String bindHost, Path dir) throws IOException {
        return start(nodeId, voters, null, bindHost, dir);
    }

    /**
     * Starts this broker's member of the quorum: a voter when {@code nodeId} is among {@code voters}, otherwise a
     * non-voting member (a Raft listener) reachable at {@code nonVoter}, which adds itself to the leader's
     * configuration in the background and receives the metadata log from then on.
     */
    public static MetadataQuorum start(int nodeId, List<Voter> voters, Address nonVoter, String bindHost, Path dir) throws IOException {
        return start(nodeId, voters, nonVoter, bindHost, dir, properties -> { });
    }

    /** {@code tuning} lets tests shrink snapshot and log-segment thresholds. */
    static MetadataQuorum start(int nodeId, List<Voter> voters, Address nonVoter, String bindHost, Path dir, Consumer<RaftProperties> tuning)
            throws IOException {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a metadata quorum needs at least one voter");
        }
        Voter selfVoter = voters.stream().filter(v -> v.id() == nodeId).findFirst().orElse(null);
        if (selfVoter == null && nonVoter == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not among the quorum voters " + voters + " and has no Raft address of its own");
        }
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(properties, bindHost.isEmpty() ? "0.0.0.0" : bindHost);
        NettyConfigKeys.Server.setPort(properties, selfVoter != null ? selfVoter.port() : nonVoter.port());
        if (selfVoter == null) {
            // A non-voter's Raft log is a cache of the leader's: it never votes, so nothing in it matters for safety.
            // Starting empty every time means a restart and a lost disk take the same path, and the server always
            // starts as a listener (a recovered log whose configuration does not list it yet would start it as a
            // follower, which Ratis shuts down at its first election timeout).
            deleteRecursively(dir);
        }
        Files.createDirectories(dir);
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        // Fast failure detection on a LAN; the first election of a quorum of one happens at once.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        if (voters.size() == 1) {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.MILLISECONDS));
        } else {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        }
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, 10_000);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        tuning.accept(properties);

        List<RaftPeer> voterPeers = voters.stream().map(Voter::peer).toList();
        RaftPeer self = selfVoter != null ? selfVoter.peer() : RaftPeer.newBuilder().setId(peerId(nodeId))
                .setAddress(nonVoter.host() + ":" + nonVoter.port()).setStartupRole(RaftPeerRole.LISTENER).build();
        // A non-voter names itself as a listener in its initial configuration so Ratis starts it in that role; the
        // leader learns about it only through the configuration change it asks for below.
        RaftGroup serverGroup = RaftGroup.valueOf(GROUP_ID, selfVoter != null ? voterPeers
                : java.util.stream.Stream.concat(voterPeers.stream(), java.util.stream.Stream.of(self)).toList());
        RaftGroup voterGroup = RaftGroup.valueOf(GROUP_ID, voterPeers);
        MetadataStateMachine stateMachine = new MetadataStateMachine();
        boolean fresh = !Files.exists(dir.resolve(GROUP_ID.getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peerId(nodeId))
                .setGroup(serverGroup)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        // Only voters lead. Leader changes and a leader still replaying its log are transient: retry for up to a minute.
        RaftClient client = RaftClient.newBuilder().setProperties(properties).setRaftGroup(voterGroup)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(600, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        // Membership changes are retried by their callers, with their own backoff.
        RaftClient admin = RaftClient.newBuilder().setProperties(properties).setRaftGroup(voterGroup)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        MetadataQuorum quorum = new MetadataQuorum(nodeId, voters, server, client, admin, stateMachine);
        if (selfVoter != null) {
            LOG.info("Metadata quorum voter {} started with voters {}", nodeId, voters);
        } else {
            LOG.info("Metadata quorum non-voter {} started at {}:{} with voters {}", nodeId, nonVoter.host(), nonVoter.port(), voters);
            quorum.membershipTimer.execute(() -> quorum.keepMembership(self));
        }
        return quorum;
    }

    /**
     * Adds this non-voter to the leader's configuration (at once, then with backoff until it is in), and afterwards
     * checks every {@link #MEMBERSHIP_RECHECK_MS} that it still is: an unregistered broker is removed, and a running
     * broker registers (and so joins) again.
     */
    private void keepMembership(RaftPeer self) {
        long delay = MEMBERSHIP_RECHECK_MS;
        try {
            boolean member = membership.changeListeners(listeners -> QuorumMembership.withListener(listeners, self));
            if (member) {
                if (joinFailures > 0 || !joined) {
                    LOG.info("Broker {} is a non-voting member of the metadata quorum", nodeId);
                }
                joined = true;
                joinFailures = 0;
            } else {
                joinFailures++;
                delay = QuorumMembership.backoffMs(joinFailures);
                if (joinFailures % 10 == 0) {
                    LOG.warn("Broker {} could not join the metadata quorum as a non-voter ({} attempts so far); retrying", nodeId, joinFailures);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Checking the metadata quorum membership failed", e);
        } finally {
            try {
                membershipTimer.schedule(() -> keepMembership(self), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closing
            }
        }
    }

    /** Removes a non-voting broker from the Raft configuration (a few attempts with backoff); false if it was a voter or could not be done. */
    @Override
    public CompletableFuture<Boolean> removeNonVoter(int brokerId) {
        if (voters.stream().anyMatch(v -> v.id() == brokerId)) {
            return CompletableFuture.completedFuture(false);
        }
        return CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; attempt < 5; attempt++) {
                if (membership.changeListeners(listeners -> QuorumMembership.withoutListener(listeners, peerId(brokerId)))) {
                    LOG.info("Broker {} is no longer a member of the metadata quorum", brokerId);
                    return true;
                }
                try {
                    Thread.sleep(QuorumMembership.backoffMs(attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            LOG.warn("Could not remove broker {} from the metadata quorum's non-voters", brokerId);
            return false;
        }, requests);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public ClusterImage image() {
        return stateMachine.image();
    }

    @Override
    public void addListener(Consumer<ClusterImage> listener) {
        stateMachine.addListener(listener);
    }

    /** Answers read-only queries (heartbeats) when this voter leads; set by the controller. */
    @Override
    public void setQueryHandler(Function<byte[], byte[]> handler) {
        stateMachine.setQueryHandler(handler);
    }

    /** Proposes a record to the leader; completes once it is committed and applied (or failed). */
    @Override
    public CompletableFuture<Result> submit(MetadataRecord record) {
        Message message = Message.valueOf(ByteString.copyFrom(MetadataCodec.encode(record)));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.io().send(message);
            } catch (IOException e) {
                throw new UncheckedIOException("metadata quorum unreachable for " + record, e);
            }
        }, requests).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("metadata quorum refused " + record + ": " + reply.getException());
            }
            MetadataStateMachine.Reply r = MetadataStateMachine.Reply.decode(reply.getMessage().getContent().toByteArray());
            return new Result(r.offset(), r.error(), r.value());
        });
    }

    /** Sends a read-only query to the leader's query handler. */
    @Override
    public CompletableFuture<byte[]> query(byte[] request) {
        Message message = Message.valueOf(ByteString.copyFrom(request));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.io().sendReadOnly(message).getMessage().getContent().toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException("metadata quorum unreachable", e);
            }
        }, requests);
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The broker id of the current leader (the controller), or -1 when there is none. */
    @Override
    public int leaderId() {
        try {
            RaftPeerId leader = server.getDivision(GROUP_ID).getInfo().getLeaderId();
            return leader == null ? -1 : Integer.parseInt(leader.toString().substring("broker-".length()));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public int nodeId() {
        return nodeId;
    }

    /** The non-voting members in the configuration this member last saw (the leader's is the current one). */
    public java.util.Set<Integer> nonVoters() {
        try {
            return server.getDivision(GROUP_ID).getRaftConf().getAllPeers(RaftPeerRole.LISTENER).stream()
                    .map(p -> Integer.parseInt(p.getId().toString().substring("broker-".length())))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        } catch (IOException | RuntimeException e) {
            return java.util.Set.of();
        }
    }

    /** The first index of this member's Raft log: above 0 once a snapshot replaced older entries. */
    long logStartIndex() {
        try {
            return server.getDivision(GROUP_ID).getRaftLog().getStartIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        membershipTimer.shutdownNow();
        requests.shutdownNow();
        try {
            client.close();
            admin.close();
        } catch (IOException e) {
            LOG.warn("Closing the metadata client failed", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Closing the metadata quorum failed", e);
        }
    }
}
