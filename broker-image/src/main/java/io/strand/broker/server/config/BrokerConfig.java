package io.strand.broker.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's static configuration, under Apache Kafka's names so existing properties files and habits carry
 * over. Values come from (lowest precedence first) the defaults below, a properties file, {@code STRAND_*}
 * environment variables and {@code --override key=value} flags; see {@link ConfigSources}.
 *
 * <p>Binding and validation use kafka-clients' {@link ConfigDef}: the same types, validators and documentation
 * Kafka uses, and the types DescribeConfigs reports. Immutable and thread-safe.
 */
public final class BrokerConfig {
    public static final String NODE_ID = "node.id";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIRS = "log.dirs";
    public static final String AUTO_CREATE_TOPICS = "auto.create.topics.enable";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String MAX_PENDING_PER_CONNECTION = "connection.max.pending.requests";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_GROUP_LAG_MAX_SERIES = "metrics.group.lag.max.series";
    public static final String QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_LISTENER_HOST = "controller.listener.host";
    public static final String CONTROLLER_LISTENER_PORT = "controller.listener.port";
    public static final String CONTROLLER_ADVERTISED_HOST = "controller.advertised.host";
    public static final String BROKER_RACK = "broker.rack";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICATION_THROTTLED_RATE = "replication.throttled.rate";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_MS = "leader.imbalance.check.interval.ms";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "controlled.shutdown.timeout.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_RETENTION_MS = "offsets.retention.ms";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String RELAY_LISTENER = "relay.listener";
    public static final String RELAY_ADVERTISED_LISTENER = "relay.advertised.listener";
    public static final String RELAY_NODE_ID = "relay.node.id";
    public static final String RELAY_REQUEST_TIMEOUT_MS = "relay.request.timeout.ms";

    static final ConfigDef DEFINITION = new ConfigDef()
            .define(NODE_ID, Type.INT, 1, Range.atLeast(0), Importance.HIGH, "This broker's id; in Kubernetes the pod ordinal.")
            .define(CLUSTER_ID, Type.STRING, null, Importance.LOW, "Cluster id; generated on first start and kept in the data directory when unset.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://0.0.0.0:9092", Importance.HIGH, "Where the broker listens, as PLAINTEXT://host:port.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH,
                    "The address given to clients (PLAINTEXT://host:port), e.g. localhost:9092 behind an SSH tunnel. Defaults to the listener, with localhost for a wildcard host.")
            .define(LOG_DIRS, Type.STRING, "./data", Importance.HIGH, "Directory holding the partition logs and the broker's metadata.")
            .define(AUTO_CREATE_TOPICS, Type.BOOLEAN, true, Importance.HIGH, "Create a topic when a client asks for metadata of one that does not exist.")
            .define(NUM_PARTITIONS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, "Partitions of auto-created topics and of CreateTopics requests that leave it to the broker.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM, "Replication factor of topics that leave it to the broker.")
            .define(MESSAGE_MAX_BYTES, Type.INT, 1048588, Range.atLeast(0), Importance.HIGH, "Largest record batch accepted (after compression); topic config max.message.bytes.")
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 104857600, Range.atLeast(1), Importance.HIGH, "Largest request frame; a larger declared size closes the connection before anything is allocated.")
            .define(LOG_SEGMENT_BYTES, Type.INT, 1073741824, Range.atLeast(14), Importance.HIGH, "Segment file size at which a new segment is rolled; topic config segment.bytes.")
            .define(LOG_ROLL_MS, Type.LONG, 604800000L, Range.atLeast(1), Importance.HIGH, "Age at which a segment is rolled even if not full; topic config segment.ms.")
            .define(LOG_RETENTION_MS, Type.LONG, 604800000L, Importance.HIGH, "How long segments are kept (-1: forever); topic config retention.ms.")
            .define(LOG_RETENTION_BYTES, Type.LONG, -1L, Importance.HIGH, "Size a partition log may reach before old segments are deleted (-1: unlimited); topic config retention.bytes.")
            .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300000L, Range.atLeast(1), Importance.MEDIUM, "How often retention runs.")
            .define(LOG_FLUSH_INTERVAL_MESSAGES, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.HIGH, "fsync after this many messages; topic config flush.messages. Default: leave it to the OS.")
            .define(LOG_FLUSH_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.HIGH, "fsync when data is older than this; topic config flush.ms. Default: leave it to the OS.")
            .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, 1000L, Range.atLeast(1), Importance.LOW, "How often the time-based flush policy is checked.")
            .define(LOG_INDEX_INTERVAL_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.MEDIUM, "Bytes between offset index entries; topic config index.interval.bytes.")
            .define(LOG_INDEX_SIZE_MAX_BYTES, Type.INT, 10485760, Range.atLeast(4), Importance.MEDIUM, "Maximum size of an index file; topic config segment.index.bytes.")
            .define(LOG_CLEANUP_POLICY, Type.LIST, "delete", ConfigDef.ValidList.in("delete", "compact"), Importance.MEDIUM, "Default cleanup.policy of topics.")
            .define(LOG_MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", ValidString.in("CreateTime", "LogAppendTime"), Importance.MEDIUM, "Default message.timestamp.type of topics.")
            .define(LOG_DELETE_DELAY_MS, Type.LONG, 60000L, Range.atLeast(0), Importance.LOW, "How long a deleted segment's file stays open for fetches already sending from it.")
            .define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Run the log cleaner, which compacts topics with cleanup.policy=compact.")
            .define(LOG_CLEANER_THREADS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, "Log cleaner threads.")
            .define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15000L, Range.atLeast(0), Importance.MEDIUM, "How long the log cleaner sleeps when no log needs cleaning.")
            .define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.LONG, 33554432L, Range.atLeast(1L << 20), Importance.MEDIUM,
                    "Memory of the log cleaner's key maps, shared by its threads (24 bytes per key; a pass covers as many keys as fit). "
                    + "Allocated only once a compacted log is cleaned; Kafka's default is 128 MiB.")
            .define(MIN_INSYNC_REPLICAS, Type.INT, 1, Range.atLeast(1), Importance.HIGH, "Default min.insync.replicas of topics.")
            .define(COMPRESSION_TYPE, Type.STRING, "producer", Importance.LOW, "Default compression.type of topics (batches are stored as produced).")
            .define(NUM_NETWORK_THREADS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM, "Netty event loop threads; 0 means one per available processor.")
            .define(MAX_PENDING_PER_CONNECTION, Type.INT, 64, Range.atLeast(1), Importance.LOW,
                    "Requests one connection may have in progress before the broker stops reading from it (back-pressure).")
            .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Whether DeleteTopics is allowed.")
            .define(METRICS_PORT, Type.INT, 9404, Range.between(0, 65535), Importance.MEDIUM, "Port of the Prometheus /metrics endpoint; 0 disables it.")
            .define(METRICS_GROUP_LAG_MAX_SERIES, Type.INT, 10_000, Range.atLeast(0), Importance.LOW,
                    "At most this many strand_group_lag series (one per group and partition) per broker; the rest are counted in "
                    + "strand_group_lag_dropped_partitions. 0 turns per-partition lag off.")
            .define(QUORUM_VOTERS, Type.STRING, "", Importance.HIGH,
                    "The metadata quorum as id@host:port,... A listed broker is a voter (combined mode); a broker whose node.id is not listed "
                    + "joins as a non-voting member that receives the metadata log. Empty: this broker alone, with its metadata in a local log.")
            .define(CONTROLLER_LISTENER_HOST, Type.STRING, null, Importance.MEDIUM,
                    "Interface the Raft (controller) port binds to; defaults to the host of listeners.")
            .define(CONTROLLER_LISTENER_PORT, Type.INT, 9093, Range.between(1, 65535), Importance.MEDIUM,
                    "Raft port of a broker that is not among controller.quorum.voters: the controller sends the metadata log there. "
                    + "Voters use the port of their own voter entry.")
            .define(CONTROLLER_ADVERTISED_HOST, Type.STRING, null, Importance.MEDIUM,
                    "Host the voters reach a non-voting broker's Raft port at (e.g. the pod's DNS name); defaults to the host of advertised.listeners.")
            .define(BROKER_RACK, Type.STRING, null, Importance.MEDIUM, "Rack or zone of this broker (e.g. topology.kubernetes.io/zone); replicas of a partition are spread over racks.")
            .define(BROKER_HEARTBEAT_INTERVAL_MS, Type.LONG, 1000L, Range.atLeast(10), Importance.MEDIUM, "How often a broker heartbeats to the controller.")
            .define(BROKER_SESSION_TIMEOUT_MS, Type.LONG, 6000L, Range.atLeast(100), Importance.MEDIUM,
                    "A broker silent this long is fenced: its partitions get new leaders from their in-sync replicas.")
            .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30000L, Range.atLeast(10), Importance.HIGH,
                    "A follower that has not caught up with the leader's log end for this long leaves the ISR.")
            .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1048576, Range.atLeast(0), Importance.MEDIUM, "Bytes a follower asks for per partition and fetch.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, Range.atLeast(0), Importance.MEDIUM, "How long a follower's fetch waits at the leader for new data.")
            .define(REPLICATION_THROTTLED_RATE, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                    "Bytes per second this broker copies for replicas it is being added as by a reassignment (in-sync replication is never throttled).")
            .define(AUTO_LEADER_REBALANCE_ENABLE, Type.BOOLEAN, true, Importance.MEDIUM, "Move leadership back to preferred replicas once they are in sync again.")
            .define(LEADER_IMBALANCE_CHECK_INTERVAL_MS, Type.LONG, 30000L, Range.atLeast(100), Importance.LOW, "How often the controller looks for partitions led by a non-preferred replica.")
            .define(CONTROLLED_SHUTDOWN_TIMEOUT_MS, Type.LONG, 30000L, Range.atLeast(0), Importance.MEDIUM,
                    "On SIGTERM, how long the broker waits for its leaderships to move before it exits anyway.")
            .define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, Range.atLeast(0), Importance.MEDIUM,
                    "How long the first rebalance of an empty classic group waits for more members to join.")
            .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, Range.atLeast(1), Importance.MEDIUM, "Smallest session.timeout.ms a classic group member may ask for.")
            .define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1800000, Range.atLeast(1), Importance.MEDIUM, "Largest session.timeout.ms a classic group member may ask for.")
            .define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, Type.INT, 45000, Range.atLeast(1), Importance.MEDIUM,
                    "Session timeout of consumer-protocol (KIP-848) group members: a member not heard from for this long is removed.")
            .define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, Range.atLeast(1), Importance.MEDIUM,
                    "Heartbeat interval given to consumer-protocol (KIP-848) group members.")
            .define(GROUP_CONSUMER_ASSIGNORS, Type.LIST, "uniform,range", Importance.MEDIUM,
                    "Server-side assignors of consumer-protocol groups (uniform, range; Kafka's class names are accepted too). The first is the default.")
            .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.atLeast(1), Importance.HIGH,
                    "Replication factor of __consumer_offsets, capped at the number of quorum voters (1 for a broker without voters).")
            .define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, Range.atLeast(1), Importance.HIGH,
                    "Partitions of the __consumer_offsets topic when it is created; a group lives in partition abs(hash(groupId)) % partitions.")
            .define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, 104857600, Range.atLeast(14), Importance.LOW, "segment.bytes of the __consumer_offsets topic when it is created.")
            .define(OFFSETS_RETENTION_MS, Type.LONG, 604800000L, Range.atLeast(1), Importance.HIGH,
                    "Committed offsets of a group that has been empty for this long are removed.")
            .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600000L, Range.atLeast(1), Importance.LOW, "How often expired offsets are looked for.")
            .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.LOW, "Largest metadata string accepted with a committed offset.")
            .define(RELAY_LISTENER, Type.STRING, null, Importance.MEDIUM,
                    "An extra listener (PLAINTEXT://host:port) through which one forwarded port reaches the whole cluster: clients on it see a "
                    + "single broker that leads every partition, and requests for partitions led elsewhere are forwarded (docs/single-port.md). "
                    + "Unset: no relay listener.")
            .define(RELAY_ADVERTISED_LISTENER, Type.STRING, null, Importance.MEDIUM,
                    "The address relay clients are given, e.g. PLAINTEXT://localhost:9092 for kubectl port-forward or ssh -L; the same on every "
                    + "broker. Defaults to relay.listener, with localhost for a wildcard host.")
            .define(RELAY_NODE_ID, Type.INT, 2_000_000_000, Range.atLeast(0), Importance.LOW,
                    "The synthetic node id relay clients see as every partition's leader; the same on every broker and above every real node.id.")
            .define(RELAY_REQUEST_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.LOW,
                    "How long the relay waits for a forwarded request's answer beyond the wait the request itself asks for (fetch or rebalance).");

    private final Map<String, Object> values;
    private final Map<String, String> originals;

    private BrokerConfig(Map<String, Object> values, Map<String, String> originals) {
        this.values = values;
        this.originals = originals;
    }

    /** Parses and validates; unknown keys are kept (and reported by {@link #unknownKeys()}) rather than rejected. */
    public static BrokerConfig from(Map<String, String> props) {
        Map<String, String> originals = new LinkedHashMap<>(props);
        // Kafka's "log.dir" (singular) and the hour/minute spellings of durations are accepted too.
        alias(originals, "log.dir", LOG_DIRS);
        timeAlias(originals, "log.retention.hours", "log.retention.minutes", LOG_RETENTION_MS);
        timeAlias(originals, "log.roll.hours", null, LOG_ROLL_MS);
        Map<String, Object> parsed = DEFINITION.parse(originals);
        BrokerConfig config = new BrokerConfig(Collections.unmodifiableMap(parsed), Collections.unmodifiableMap(originals));
        config.listener();
        config.advertisedListener();
        if (config.relayListener() != null) {
            config.relayAdvertisedListener();
            if (config.relayNodeId() == config.nodeId()) {
                throw new ConfigException(RELAY_NODE_ID, config.relayNodeId(), "must differ from node.id: relay clients would confuse the two");
            }
        }
        return config;
    }

    public static BrokerConfig from(Properties props) {
        Map<String, String> map = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
        return from(map);
    }

    public static BrokerConfig defaults() {
        return from(Map.of());
    }

    private static void alias(Map<String, String> props, String alias, String key) {
        if (!props.containsKey(key) && props.containsKey(alias)) {
            props.put(key, props.get(alias));
        }
    }

    private static void timeAlias(Map<String, String> props, String hoursKey, String minutesKey, String msKey) {
        if (props.containsKey(msKey)) {
            return;
        }
        if (minutesKey != null && props.containsKey(minutesKey)) {
            props.put(msKey, Long.toString(Long.parseLong(props.get(minutesKey).trim()) * 60_000L));
        } else if (props.containsKey(hoursKey)) {
            props.put(msKey, Long.toString(Long.parseLong(props.get(hoursKey).trim()) * 3_600_000L));
        }
    }

    public Iterable<String> unknownKeys() {
        return originals.keySet().stream().filter(k -> !DEFINITION.names().contains(k)).toList();
    }

    /** Every defined key with its effective value, as strings (DescribeConfigs on the broker resource). */
    public Map<String, String> asStrings() {
        Map<String, String> out = new LinkedHashMap<>();
        DEFINITION.configKeys().forEach((name, key) -> {
            Object value = values.get(name);
            out.put(name, value == null ? null : ConfigDef.convertToString(value, key.type));
        });
        return out;
    }

    public boolean isDefault(String name) {
        return !originals.containsKey(name);
    }

    public static ConfigDef definition() {
        return DEFINITION;
    }

    public int nodeId() {
        return (Integer) values.get(NODE_ID);
    }

    public String clusterId() {
        return (String) values.get(CLUSTER_ID);
    }

    public Endpoint listener() {
        return Endpoint.parse(LISTENERS, (String) values.get(LISTENERS));
    }

    public Endpoint advertisedListener() {
        String advertised = (String) values.get(ADVERTISED_LISTENERS);
        if (advertised != null && !advertised.isBlank()) {
            return Endpoint.parse(ADVERTISED_LISTENERS, advertised);
        }
        Endpoint bind = listener();
        String host = bind.host().isEmpty() || bind.host().equals("0.0.0.0") || bind.host().equals("::") ? "localhost" : bind.host();
        return new Endpoint(host, bind.port());
    }

    public Path logDir() {
        return Path.of((String) values.get(LOG_DIRS)).toAbsolutePath().normalize();
    }

    public boolean autoCreateTopics() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS);
    }

    public int numPartitions() {
        return (Integer) values.get(NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return (Short) values.get(DEFAULT_REPLICATION_FACTOR);
    }

    public int messageMaxBytes() {
        return (Integer) values.get(MESSAGE_MAX_BYTES);
    }

    public int socketRequestMaxBytes() {
        return (Integer) values.get(SOCKET_REQUEST_MAX_BYTES);
    }

    public long retentionCheckIntervalMs() {
        return (Long) values.get(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    public long flushSchedulerIntervalMs() {
        return (Long) values.get(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    public int networkThreads() {
        int n = (Integer) values.get(NUM_NETWORK_THREADS);
        return n > 0 ? n : Runtime.getRuntime().availableProcessors();
    }

    public int maxPendingPerConnection() {
        return (Integer) values.get(MAX_PENDING_PER_CONNECTION);
    }

    public boolean deleteTopicEnable() {
        return (Boolean) values.get(DELETE_TOPIC_ENABLE);
    }

    public String quorumVoters() {
        return (String) values.get(QUORUM_VOTERS);
    }

    public String controllerListenerHost() {
        String host = (String) values.get(CONTROLLER_LISTENER_HOST);
        return host != null ? host : listener().host();
    }

    public int controllerListenerPort() {
        return (Integer) values.get(CONTROLLER_LISTENER_PORT);
    }

    public String controllerAdvertisedHost() {
        String host = (String) values.get(CONTROLLER_ADVERTISED_HOST);
        return host != null && !host.isBlank() ? host : advertisedListener().host();
    }

    public String rack() {
        return (String) values.get(BROKER_RACK);
    }

    public long heartbeatIntervalMs() {
        return (Long) values.get(BROKER_HEARTBEAT_INTERVAL_MS);
    }

    public long sessionTimeoutMs() {
        return (Long) values.get(BROKER_SESSION_TIMEOUT_MS);
    }

    public long replicaLagTimeMaxMs() {
        return (Long) values.get(REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return (Integer) values.get(REPLICA_FETCH_MAX_BYTES);
    }

    public long replicationThrottledRate() {
        return (Long) values.get(REPLICATION_THROTTLED_RATE);
    }

    public int replicaFetchWaitMaxMs() {
        return (Integer) values.get(REPLICA_FETCH_WAIT_MAX_MS);
    }

    public boolean autoLeaderRebalance() {
        return (Boolean) values.get(AUTO_LEADER_REBALANCE_ENABLE);
    }

    public long leaderImbalanceCheckIntervalMs() {
        return (Long) values.get(LEADER_IMBALANCE_CHECK_INTERVAL_MS);
    }

    public long controlledShutdownTimeoutMs() {
        return (Long) values.get(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    public int metricsPort() {
        return (Integer) values.get(METRICS_PORT);
    }

    public int metricsGroupLagMaxSeries() {
        return (Integer) values.get(METRICS_GROUP_LAG_MAX_SERIES);
    }

    public int groupInitialRebalanceDelayMs() {
        return (Integer) values.get(GROUP_INITIAL_REBALANCE_DELAY_MS);
    }

    public int groupMinSessionTimeoutMs() {
        return (Integer) values.get(GROUP_MIN_SESSION_TIMEOUT_MS);
    }

    public int groupMaxSessionTimeoutMs() {
        return (Integer) values.get(GROUP_MAX_SESSION_TIMEOUT_MS);
    }

    public int groupConsumerSessionTimeoutMs() {
        return (Integer) values.get(GROUP_CONSUMER_SESSION_TIMEOUT_MS);
    }

    public int groupConsumerHeartbeatIntervalMs() {
        return (Integer) values.get(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS);
    }

    @SuppressWarnings("unchecked")
    public java.util.List<String> groupConsumerAssignors() {
        return (java.util.List<String>) values.get(GROUP_CONSUMER_ASSIGNORS);
    }

    public short offsetsTopicReplicationFactor() {
        return (Short) values.get(OFFSETS_TOPIC_REPLICATION_FACTOR);
    }

    public int offsetsTopicNumPartitions() {
        return (Integer) values.get(OFFSETS_TOPIC_NUM_PARTITIONS);
    }

    public int offsetsTopicSegmentBytes() {
        return (Integer) values.get(OFFSETS_TOPIC_SEGMENT_BYTES);
    }

    public long offsetsRetentionMs() {
        return (Long) values.get(OFFSETS_RETENTION_MS);
    }

    public long offsetsRetentionCheckIntervalMs() {
        return (Long) values.get(OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    public int offsetMetadataMaxBytes() {
        return (Integer) values.get(OFFSET_METADATA_MAX_BYTES);
    }

    /** The relay listener, or null when there is none. */
    public Endpoint relayListener() {
        String relay = (String) values.get(RELAY_LISTENER);
        return relay == null || relay.isBlank() ? null : Endpoint.parse(RELAY_LISTENER, relay);
    }

    public Endpoint relayAdvertisedListener() {
        String advertised = (String) values.get(RELAY_ADVERTISED_LISTENER);
        if (advertised != null && !advertised.isBlank()) {
            return Endpoint.parse(RELAY_ADVERTISED_LISTENER, advertised);
        }
        Endpoint bind = relayListener();
        String host = bind.host().isEmpty() || bind.host().equals("0.0.0.0") || bind.host().equals("::") ? "localhost" : bind.host();
        return new Endpoint(host, bind.port());
    }

    public int relayNodeId() {
        return (Integer) values.get(RELAY_NODE_ID);
    }

    public int relayRequestTimeoutMs() {
        return (Integer) values.get(RELAY_REQUEST_TIMEOUT_MS);
    }

    /** Typed access for keys that feed topic defaults. */
    public Object get(String key) {
        return values.get(key);
    }

    /** A host and port from a listener URL such as {@code PLAINTEXT://host:9092}. */
    public record Endpoint(String host, int port) {
        static Endpoint parse(String key, String value) {
            String first = value.split(",")[0].trim();
            if (!first.contains("://")) {
                first = "PLAINTEXT://" + first;
            }
            try {
                URI uri = URI.create(first);
                String scheme = uri.getScheme().toUpperCase(java.util.Locale.ROOT);
                if (!scheme.equals("PLAINTEXT")) {
                    throw new ConfigException(key, value, "only PLAINTEXT listeners are supported");
                }
                String host = uri.getHost() == null ? "" : uri.getHost();
                if (uri.getPort() < 0 || uri.getPort() > 65535) {
                    throw new ConfigException(key, value, "a port is required, as in PLAINTEXT://host:9092");
                }
                return new Endpoint(host, uri.getPort());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, value, "not a listener URL like PLAINTEXT://host:9092");
            }
        }
    }
}
