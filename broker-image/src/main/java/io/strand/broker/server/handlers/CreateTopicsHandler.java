package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.log.TopicInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** CreateTopics, including validateOnly and the per-topic configs and counts reported back (v5+). */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequestData, CreateTopicsResponseData> {
    private final BrokerContext broker;

    public CreateTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletionStage<CreateTopicsResponseData> handle(RequestContext context, CreateTopicsRequestData request) {
        CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        request.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        });
        for (CreateTopicsRequestData.CreatableTopic topic : request.topics()) {
            CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                    .setName(topic.name()).setNumPartitions(-1).setReplicationFactor((short) -1);
            response.topics().add(result);
            if (duplicated.contains(topic.name())) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Create topics request from client contains a duplicate topic: " + topic.name());
                continue;
            }
            try {
                int partitions = partitionCount(topic);
                Map<String, String> configs = new HashMap<>();
                topic.configs().forEach(c -> configs.put(c.name(), c.value()));
                TopicInfo created;
                if (request.validateOnly()) {
                    Map<String, String> normalised = broker.logs().validateNewTopic(topic.name(), partitions, configs);
                    created = new TopicInfo(topic.name(), org.apache.kafka.common.Uuid.ZERO_UUID, partitions, normalised);
                } else {
                    created = broker.logs().createTopic(topic.name(), partitions, configs);
                }
                result.setErrorCode(Errors.NONE.code())
                        .setTopicId(created.id())
                        .setNumPartitions(created.partitions())
                        .setReplicationFactor((short) 1);
                if (context.version() >= 5) {
                    broker.logs().effectiveConfigs(created).forEach((name, value) -> result.configs().add(
                            new CreateTopicsResponseData.CreatableTopicConfigs().setName(name).setValue(value).setReadOnly(false)
                                    .setIsSensitive(false)
                                    .setConfigSource((created.configs().containsKey(name) ? DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG
                                            : DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG).id())));
                }
            } catch (Exception e) {
                Errors error = Failures.toError(e);
                result.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private int partitionCount(CreateTopicsRequestData.CreatableTopic topic) {
        short replicationFactor = topic.replicationFactor();
        if (!topic.assignments().isEmpty()) {
            if (topic.numPartitions() != -1 || replicationFactor != -1) {
                throw new org.apache.kafka.common.errors.InvalidRequestException(
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }
            for (CreateTopicsRequestData.CreatableReplicaAssignment assignment : topic.assignments()) {
                checkAssignment(assignment.partitionIndex(), assignment.brokerIds());
            }
            return topic.assignments().size();
        }
        short effectiveFactor = replicationFactor == -1 ? broker.config().defaultReplicationFactor() : replicationFactor;
        if (effectiveFactor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 to use the default value.");
        }
        if (effectiveFactor > 1) {
            throw new InvalidReplicationFactorException("Replication factor: " + effectiveFactor + " larger than available brokers: 1.");
        }
        return topic.numPartitions() == -1 ? broker.config().numPartitions() : topic.numPartitions();
    }

    private void checkAssignment(int partition, List<Integer> brokerIds) {
        if (brokerIds.size() != 1 || brokerIds.get(0) != broker.nodeId()) {
            throw new InvalidReplicaAssignmentException("Partition " + partition + " is assigned to " + brokerIds
                    + "; the only broker is " + broker.nodeId() + ".");
        }
    }
}
