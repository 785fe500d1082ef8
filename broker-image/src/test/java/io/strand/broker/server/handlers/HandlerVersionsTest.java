package io.strand.broker.server.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.strand.broker.protocol.KafkaResponse;
import io.strand.broker.protocol.ResponseEncoder;
import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.coordinator.GroupConfig;
import io.strand.broker.server.coordinator.GroupCoordinator;
import io.strand.broker.server.log.LogManager;
import io.strand.broker.server.log.ProducerIdManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each handler, at every version it advertises, answers a realistic request with a response that encodes at that
 * version (fields that only exist in later versions must stay unset) and without an unexpected error.
 */
class HandlerVersionsTest {
    @TempDir
    static Path dir;
    static LogManager logs;
    static ApiHandlers handlers;
    static DefaultEventExecutor executor;
    static Uuid topicId;
    static GroupCoordinator groups;

    @BeforeAll
    static void setUp() throws Exception {
        BrokerConfig config = BrokerConfig.from(Map.of("log.dirs", dir.toString(), "listeners", "PLAINTEXT://127.0.0.1:9092",
                "group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "3"));
        logs = io.strand.broker.server.SingleNode.logManager(config, dir.resolve("meta"));
        groups = new GroupCoordinator(logs, GroupConfig.from(config), Clock.systemUTC());
        groups.start((short) 1);
        assertThat(groups.awaitLoaded(java.time.Duration.ofSeconds(10))).isTrue();
        handlers = ApiHandlers.standard(new BrokerContext(config, "cluster", logs, new ProducerIdManager(logs), groups),
                new BrokerMetrics(new SimpleMeterRegistry()));
        topicId = logs.createTopic("t", 2, Map.of()).id();
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1000L, "k".getBytes(), "v".getBytes()),
                new SimpleRecord(2000L, "k2".getBytes(), "v2".getBytes()));
        logs.partition("t", 0).append(records.buffer());
        executor = new DefaultEventExecutor();
    }

    @AfterAll
    static void tearDown() {
        executor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        groups.close();
        logs.close();
    }

    static Stream<Arguments> everyAdvertisedVersion() {
        return ApiHandlers.standard(null, null).all().values().stream()
                .flatMap(h -> IntStream.rangeClosed(h.minVersion(), h.maxVersion()).mapToObj(v -> Arguments.of(h.apiKey(), (short) v)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyAdvertisedVersion")
    void answersAndEncodesAtEveryVersion(ApiKeys key, short version) throws Exception {
        ApiMessage request = sample(key, version);
        RequestContext context = new RequestContext(new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version).setClientId("test"),
                key, version, new InetSocketAddress("127.0.0.1", 1), executor);
        ApiMessage response = handlers.get(key).handle(context, request).toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<Object> parts = ResponseEncoder.encode(ByteBufAllocator.DEFAULT, new KafkaResponse(1, key, version, response));
        parts.forEach(ReferenceCountUtil::release);
        assertThat(errorsIn(response)).as(response.toString()).doesNotContain(Errors.UNKNOWN_SERVER_ERROR.code(), Errors.KAFKA_STORAGE_ERROR.code());
    }

    private static List<Short> errorsIn(ApiMessage response) {
        // every generated response prints its error codes as errorCode=N
        return java.util.regex.Pattern.compile("errorCode=(-?\\d+)").matcher(response.toString()).results()
                .map(m -> Short.parseShort(m.group(1))).toList();
    }

    private static ApiMessage sample(ApiKeys key, short v) {
        boolean ids = v >= 13;
        return switch (key) {
            case API_VERSIONS -> new ApiVersionsRequestData().setClientSoftwareName(v >= 3 ? "test" : "").setClientSoftwareVersion(v >= 3 ? "1" : "");
            case METADATA -> new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("t")))
                    .setAllowAutoTopicCreation(true)
                    .setIncludeTopicAuthorizedOperations(v >= 8)
                    .setIncludeClusterAuthorizedOperations(v >= 8 && v <= 10);
            case PRODUCE -> {
                MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(3000L, "k".getBytes(), "v".getBytes()));
                ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(records)));
                if (ids) {
                    topic.setTopicId(topicId);
                } else {
                    topic.setName("t");
                }
                ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
                topics.add(topic);
                yield new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000).setTopicData(topics);
            }
            case FETCH -> new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1)
                    .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(ids ? "" : "t").setTopicId(ids ? topicId : Uuid.ZERO_UUID)
                            .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)
                                    .setCurrentLeaderEpoch(v >= 9 ? 0 : -1).setLogStartOffset(v >= 5 ? -1 : -1)))));
            case LIST_OFFSETS -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName("t")
                    .setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1),
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(1).setTimestamp(-2),
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(1500L)))));
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1);
            case CREATE_TOPICS -> {
                CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
                topics.add(new CreateTopicsRequestData.CreatableTopic().setName("created-v" + v).setNumPartitions(1).setReplicationFactor((short) 1));
                yield new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(1000);
            }
            case DELETE_TOPICS -> v >= 6
                    ? new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName("missing")))
                    : new DeleteTopicsRequestData().setTopicNames(List.of("missing"));
            case CREATE_PARTITIONS -> new CreatePartitionsRequestData().setTopics(new CreatePartitionsRequestData.CreatePartitionsTopicCollection(List.of(
                    new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t").setCount(5).setAssignments(null)).iterator())).setValidateOnly(true);
            case DESCRIBE_CONFIGS -> new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(v >= 3)
                    .setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("t"),
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1")));
            case INCREMENTAL_ALTER_CONFIGS -> {
                IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
                configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("1000"));
                IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources = new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("t").setConfigs(configs));
                yield new IncrementalAlterConfigsRequestData().setResources(resources).setValidateOnly(true);
            }
            case DESCRIBE_CLUSTER -> new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true).setEndpointType((byte) 1);
            case DELETE_RECORDS -> new DeleteRecordsRequestData().setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("t")
                    .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(0)))));
            case OFFSET_FOR_LEADER_EPOCH -> {
                OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
                topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("t").setPartitions(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(0))));
                yield new OffsetForLeaderEpochRequestData().setTopics(topics).setReplicaId(-1);
            }
            case FIND_COORDINATOR -> v >= 4
                    ? new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of("g", "h"))
                    : new FindCoordinatorRequestData().setKey("g").setKeyType((byte) 0);
            case JOIN_GROUP -> {
                JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
                protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1, 2}));
                // static members (v5+) join at once; v4 dynamic members get MEMBER_ID_REQUIRED first
                yield new JoinGroupRequestData().setGroupId("join-v" + v).setMemberId("").setGroupInstanceId(v >= 5 ? "instance" : null)
                        .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocolType("consumer").setProtocols(protocols)
                        .setReason(v >= 8 ? "test" : null);
            }
            case SYNC_GROUP -> new SyncGroupRequestData().setGroupId("join-v" + Math.max(2, v)).setGenerationId(1).setMemberId("unknown")
                    .setProtocolType(v >= 5 ? "consumer" : null).setProtocolName(v >= 5 ? "range" : null)
                    .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId("unknown").setAssignment(new byte[0])));
            case HEARTBEAT -> new HeartbeatRequestData().setGroupId("join-v2").setGenerationId(1).setMemberId("unknown");
            case LEAVE_GROUP -> v >= 3
                    ? new LeaveGroupRequestData().setGroupId("join-v2").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                            .setMemberId("unknown").setReason(v >= 5 ? "bye" : null)))
                    : new LeaveGroupRequestData().setGroupId("join-v2").setMemberId("unknown");
            case OFFSET_COMMIT -> new OffsetCommitRequestData().setGroupId("commit-v" + v).setGenerationIdOrMemberEpoch(-1).setMemberId("")
                    .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(v >= 10 ? "" : "t")
                            .setTopicId(v >= 10 ? topicId : Uuid.ZERO_UUID)
                            .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                    .setCommittedOffset(1).setCommittedLeaderEpoch(v >= 6 ? 0 : -1).setCommittedMetadata("m")))));
            case OFFSET_FETCH -> v >= 8
                    ? new OffsetFetchRequestData().setRequireStable(true).setGroups(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("commit-v" + v).setMemberId(null).setTopics(List.of(
                                    new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(v >= 10 ? "" : "t")
                                            .setTopicId(v >= 10 ? topicId : Uuid.ZERO_UUID).setPartitionIndexes(List.of(0, 1)))),
                            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("commit-v2").setTopics(null)))
                    : new OffsetFetchRequestData().setGroupId("commit-v" + Math.max(2, v)).setRequireStable(v >= 7)
                            .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("t").setPartitionIndexes(List.of(0, 1))));
            case LIST_GROUPS -> new ListGroupsRequestData().setStatesFilter(v >= 4 ? List.of("Empty", "Stable") : List.of())
                    .setTypesFilter(v >= 5 ? List.of("classic") : List.of());
            case DESCRIBE_GROUPS -> new DescribeGroupsRequestData().setGroups(List.of("join-v5", "commit-v2", "missing"))
                    .setIncludeAuthorizedOperations(v >= 3);
            case DELETE_GROUPS -> new DeleteGroupsRequestData().setGroupsNames(List.of("missing", "join-v5"));
            case OFFSET_DELETE -> {
                OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
                topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t").setPartitions(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
                yield new OffsetDeleteRequestData().setGroupId("commit-v3").setTopics(topics);
            }
            case CONSUMER_GROUP_HEARTBEAT -> new ConsumerGroupHeartbeatRequestData().setGroupId("cg-v" + v).setMemberId(Uuid.randomUuid().toString())
                    .setMemberEpoch(0).setRebalanceTimeoutMs(10_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of())
                    .setServerAssignor("uniform");
            case CONSUMER_GROUP_DESCRIBE -> new ConsumerGroupDescribeRequestData().setGroupIds(List.of("cg-v0", "join-v5", "missing"))
                    .setIncludeAuthorizedOperations(true);
            case ALTER_PARTITION_REASSIGNMENTS -> new AlterPartitionReassignmentsRequestData().setTimeoutMs(5000)
                    .setAllowReplicationFactorChange(true)
                    .setTopics(List.of(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("t").setPartitions(List.of(
                            // a cancel with nothing in progress, a move onto an unknown broker, a partition that does not exist
                            new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0).setReplicas(null),
                            new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(1).setReplicas(List.of(1, 99)),
                            new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(9).setReplicas(List.of(1))))));
            case LIST_PARTITION_REASSIGNMENTS -> new ListPartitionReassignmentsRequestData().setTimeoutMs(5000).setTopics(v == 0 ? null
                    : List.of(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("t").setPartitionIndexes(List.of(0))));
            case ELECT_LEADERS -> {
                ElectLeadersRequestData.TopicPartitionsCollection partitions = new ElectLeadersRequestData.TopicPartitionsCollection();
                partitions.add(new ElectLeadersRequestData.TopicPartitions().setTopic("t").setPartitions(List.of(0, 1, 7)));
                yield new ElectLeadersRequestData().setElectionType((byte) (v == 2 ? 1 : 0)).setTopicPartitions(partitions).setTimeoutMs(5000);
            }
            case UNREGISTER_BROKER -> new UnregisterBrokerRequestData().setBrokerId(42);
            default -> throw new IllegalArgumentException("no sample request for " + key + "; add one");
        };
    }
}
