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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
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
 * The cluster's metadata quorum, on Apache Ratis: this broker's Raft server (a voter) plus a client that sends
 * records to whichever voter leads. The leader is the controller. A single broker is a quorum of one.
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

    private final int nodeId;
    private final RaftServer server;
    private final RaftClient client;
    private final MetadataStateMachine stateMachine;
    /**
     * Ratis' blocking client follows leader changes and retries (its Netty async client does not), so requests run
     * on these threads; the callers still get futures.
     */
    private final ExecutorService requests = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "strand-metadata-client");
        t.setDaemon(true);
        return t;
    });

    private MetadataQuorum(int nodeId, RaftServer server, RaftClient client, MetadataStateMachine stateMachine) {
        this.nodeId = nodeId;
        this.server = server;
        this.client = client;
        this.stateMachine = stateMachine;
    }

    static RaftPeerId peerId(int brokerId) {
        return RaftPeerId.valueOf("broker-" + brokerId);
    }

    /** Starts this broker's voter, listening on {@code bindHost} and the port its voter entry names; {@code dir} keeps the Raft log and snapshots. */
    public static MetadataQuorum start(int nodeId, List<Voter> voters, String bindHost, Path dir) throws IOException {
        Voter self = voters.stream().filter(v -> v.id() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node " + nodeId + " is not among the quorum voters " + voters));
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(properties, bindHost.isEmpty() ? "0.0.0.0" : bindHost);
        NettyConfigKeys.Server.setPort(properties, self.port());
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

        RaftGroup group = RaftGroup.valueOf(GROUP_ID, voters.stream().map(Voter::peer).toList());
        MetadataStateMachine stateMachine = new MetadataStateMachine();
        boolean fresh = !Files.exists(dir.resolve(GROUP_ID.getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peerId(nodeId))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        // Leader changes and a leader still replaying its log are transient: retry for up to a minute.
        RaftClient client = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(600, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        LOG.info("Metadata quorum voter {} started with voters {}", nodeId, voters);
        return new MetadataQuorum(nodeId, server, client, stateMachine);
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

    @Override
    public void close() {
        requests.shutdownNow();
        try {
            client.close();
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
