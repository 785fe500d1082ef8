package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.BrokerRegistration;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.TopicMetadata;
import io.strand.broker.server.log.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Metadata: the brokers, and every requested topic's partitions with their leader; auto-creates unknown topics. */
public final class MetadataHandler implements ApiHandler<MetadataRequestData, MetadataResponseData> {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);
    private final BrokerContext broker;

    public MetadataHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletionStage<MetadataResponseData> handle(RequestContext context, MetadataRequestData request) {
        short version = context.version();
        MetadataResponseData response = new MetadataResponseData()
                .setThrottleTimeMs(0)
                .setClusterId(broker.clusterId())
                .setControllerId(controllerId());

        // v0: an empty list means all topics; v1+: null means all topics and an empty list none.
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics) {
            for (TopicInfo topic : broker.logs().topics()) {
                response.topics().add(describe(topic, request.includeTopicAuthorizedOperations()));
            }
        } else {
            boolean autoCreate = broker.config().autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation());
            for (MetadataRequestData.MetadataRequestTopic requested : request.topics()) {
                response.topics().add(lookup(requested, autoCreate, request.includeTopicAuthorizedOperations()));
            }
        }
        if (request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(Authorization.ALL_CLUSTER_OPERATIONS);
        }
        // brokers last, from the image the topics were read from (or a newer one): every leader named is listed
        broker.logs().metadata().liveBrokers().values().forEach(b -> response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(b.id()).setHost(b.host()).setPort(b.port()).setRack(b.rack())));
        return CompletableFuture.completedFuture(response);
    }

    private MetadataResponseData.MetadataResponseTopic lookup(MetadataRequestData.MetadataRequestTopic requested, boolean autoCreate,
                                                              boolean includeOperations) {
        String name = requested.name();
        if (name == null) {
            Uuid id = requested.topicId();
            TopicInfo topic = broker.logs().topic(id);
            if (topic == null) {
                return new MetadataResponseData.MetadataResponseTopic().setTopicId(id).setName(null)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            return describe(topic, includeOperations);
        }
        TopicInfo topic = broker.logs().topic(name);
        if (topic == null && autoCreate) {
            topic = autoCreate(name);
            if (topic == null) {
                return error(name, Errors.INVALID_TOPIC_EXCEPTION);
            }
        }
        if (topic == null) {
            return error(name, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return describe(topic, includeOperations);
    }

    private TopicInfo autoCreate(String name) {
        try {
            return broker.logs().createTopic(name, broker.config().numPartitions(), Map.of());
        } catch (TopicExistsException raced) {
            return broker.logs().topic(name);
        } catch (ApiException e) {
            LOG.info("Not auto-creating topic '{}': {}", name, e.getMessage());
            return null;
        }
    }

    /** Clients send admin requests to the controller id; any broker forwards them to the quorum, so name a live one. */
    private int controllerId() {
        int controller = broker.logs().metadata().controllerId();
        return broker.logs().metadata().liveBrokers().containsKey(controller) ? controller : broker.nodeId();
    }

    private static MetadataResponseData.MetadataResponseTopic error(String name, Errors error) {
        return new MetadataResponseData.MetadataResponseTopic().setName(name).setErrorCode(error.code());
    }

    private MetadataResponseData.MetadataResponseTopic describe(TopicInfo topic, boolean includeOperations) {
        MetadataResponseData.MetadataResponseTopic out = new MetadataResponseData.MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(org.apache.kafka.common.internals.Topic.isInternal(topic.name()))
                .setErrorCode(Errors.NONE.code());
        if (includeOperations) {
            out.setTopicAuthorizedOperations(Authorization.ALL_TOPIC_OPERATIONS);
        }
        TopicMetadata metadata = broker.logs().topicMetadata(topic.name());
        if (metadata == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Map<Integer, BrokerRegistration> live = broker.logs().metadata().liveBrokers();
        for (int p = 0; p < metadata.partitions().size(); p++) {
            PartitionState state = metadata.partitions().get(p);
            boolean leaderLive = state.hasLeader() && live.containsKey(state.leader());
            out.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode((leaderLive ? Errors.NONE : Errors.LEADER_NOT_AVAILABLE).code())
                    .setLeaderId(leaderLive ? state.leader() : -1)
                    .setLeaderEpoch(state.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(state.replicas()))
                    .setIsrNodes(new ArrayList<>(state.isr()))
                    .setOfflineReplicas(new ArrayList<>(state.replicas().stream().filter(r -> !live.containsKey(r)).toList())));
        }
        return out;
    }
}
