package io.strand.broker.server.relay;

import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.ApiHandlers;
import io.strand.broker.server.network.KafkaServer;
import io.strand.broker.server.network.RequestMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay listener (docs/single-port.md): a second Kafka listener whose clients see the whole cluster as one
 * broker. It serves the ordinary handlers, with the cluster-shaped answers rewritten to name only the relay node
 * and the partition and group APIs forwarded to the brokers that own them. Same connection handling (ordering,
 * back-pressure, malformed requests) as the ordinary listener, since it is the same {@link KafkaServer}.
 */
public final class RelayListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayListener.class);
    private final KafkaServer server;

    private RelayListener(KafkaServer server) {
        this.server = server;
    }

    public static RelayListener start(BrokerConfig config, ClusterMetadata metadata, GroupCoordinator groups, ApiHandlers ordinary,
                                      RequestMetrics metrics) throws InterruptedException {
        BrokerConfig.Endpoint listener = config.relayListener();
        BrokerConfig.Endpoint advertised = config.relayAdvertisedListener();
        RelayNode node = new RelayNode(config.relayNodeId(), advertised.host(), advertised.port());
        RelayConnections connections = new RelayConnections(config.socketRequestMaxBytes());
        Forwarding forwarding = new Forwarding(config.nodeId(), node, new ClusterLeaders(metadata), connections, config.relayRequestTimeoutMs());
        ApiHandlers handlers = handlers(ordinary, forwarding, groups, metadata);
        // node.id is checked against it at startup; other brokers' ids only become known here
        AtomicBoolean warned = new AtomicBoolean();
        metadata.addListener(image -> {
            if (image.brokers().containsKey(node.id()) && !warned.getAndSet(true)) {
                LOG.error("Broker {} is registered with relay.node.id {}: relay clients cannot tell it from the relay node; "
                        + "set relay.node.id above every node.id", node.id(), node.id());
            }
        });
        KafkaServer server = KafkaServer.start(listener.host(), listener.port(), config.networkThreads(), config.socketRequestMaxBytes(),
                config.maxPendingPerConnection(), handlers, metrics, connections);
        return new RelayListener(server);
    }

    /** The ordinary handlers with the relay's in place of those whose answers depend on which broker owns what. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static ApiHandlers handlers(ApiHandlers ordinary, Forwarding forwarding, GroupCoordinator groups, ClusterMetadata metadata) {
        RelayNode node = forwarding.node();
        Map<ApiKeys, ApiHandler<?, ?>> relay = new EnumMap<>(ApiKeys.class);
        relay.put(ApiKeys.METADATA, new Rewriting<>(local(ordinary, ApiKeys.METADATA), r -> RelayView.metadata((MetadataResponseData) r, node)));
        relay.put(ApiKeys.FIND_COORDINATOR, new Rewriting<>(local(ordinary, ApiKeys.FIND_COORDINATOR),
                r -> RelayView.findCoordinator((FindCoordinatorResponseData) r, node)));
        relay.put(ApiKeys.DESCRIBE_CLUSTER, new Rewriting<>(local(ordinary, ApiKeys.DESCRIBE_CLUSTER),
                r -> RelayView.describeCluster((DescribeClusterResponseData) r, node)));
        relay.put(ApiKeys.PRODUCE, new PartitionForwarder(local(ordinary, ApiKeys.PRODUCE), new ProduceRouting(), forwarding));
        relay.put(ApiKeys.FETCH, new FetchForwarder((ApiHandler) local(ordinary, ApiKeys.FETCH), forwarding));
        relay.put(ApiKeys.LIST_OFFSETS, new PartitionForwarder(local(ordinary, ApiKeys.LIST_OFFSETS), new ListOffsetsRouting(), forwarding));
        relay.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new PartitionForwarder(local(ordinary, ApiKeys.OFFSET_FOR_LEADER_EPOCH), new EpochRouting(), forwarding));
        group(relay, ordinary, forwarding, groups, ApiKeys.JOIN_GROUP, (JoinGroupRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.SYNC_GROUP, (SyncGroupRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.HEARTBEAT, (HeartbeatRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.LEAVE_GROUP, (LeaveGroupRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.OFFSET_COMMIT, (OffsetCommitRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.OFFSET_DELETE, (OffsetDeleteRequestData r) -> List.of(r.groupId()));
        group(relay, ordinary, forwarding, groups, ApiKeys.CONSUMER_GROUP_HEARTBEAT, (ConsumerGroupHeartbeatRequestData r) -> List.of(r.groupId()));
        split(relay, ordinary, forwarding, groups, ApiKeys.OFFSET_FETCH, GroupRouting.OFFSET_FETCH);
        split(relay, ordinary, forwarding, groups, ApiKeys.DESCRIBE_GROUPS, GroupRouting.DESCRIBE);
        split(relay, ordinary, forwarding, groups, ApiKeys.DELETE_GROUPS, GroupRouting.DELETE);
        split(relay, ordinary, forwarding, groups, ApiKeys.CONSUMER_GROUP_DESCRIBE, GroupRouting.CONSUMER_DESCRIBE);
        relay.put(ApiKeys.DELETE_RECORDS, new PartitionForwarder(local(ordinary, ApiKeys.DELETE_RECORDS), new DeleteRecordsRouting(), forwarding));
        relay.put(ApiKeys.LIST_GROUPS, new ListGroupsFanOut(local(ordinary, ApiKeys.LIST_GROUPS), metadata, forwarding));
        List<ApiHandler<?, ?>> all = new ArrayList<>();
        ordinary.all().forEach((key, handler) -> all.add(relay.getOrDefault(key, handler)));
        return new ApiHandlers(all);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <Q extends ApiMessage> void group(Map<ApiKeys, ApiHandler<?, ?>> relay, ApiHandlers ordinary, Forwarding forwarding,
                                                     GroupCoordinator groups, ApiKeys key, Function<Q, List<String>> groupsOf) {
        ApiHandler local = local(ordinary, key);
        if (local != null) {
            relay.put(key, new CoordinatorForwarder<>(local, groupsOf, groups, forwarding));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void split(Map<ApiKeys, ApiHandler<?, ?>> relay, ApiHandlers ordinary, Forwarding forwarding, GroupCoordinator groups,
                              ApiKeys key, GroupRouting routing) {
        relay.put(key, new CoordinatorForwarder<>(local(ordinary, key), routing, groups, forwarding));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ApiHandler local(ApiHandlers ordinary, ApiKeys key) {
        return (ApiHandler) ordinary.all().get(key);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
