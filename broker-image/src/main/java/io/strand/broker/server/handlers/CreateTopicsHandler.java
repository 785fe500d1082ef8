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
                List<List<Integer>> assignment = assignment(topic);
                short replicationFactor = assignment != null ? (short) assignment.get(0).size() : replicationFactor(topic);
                int partitions = assignment != null ? assignment.size() : topic.numPartitions() == -1 ? broker.config().numPartitions() : topic.numPartitions();
                Map<String, String> configs = new HashMap<>();
                topic.configs().forEach(c -> configs.put(c.name(), c.value()));
                TopicInfo created;
                if (request.validateOnly()) {
                    Map<String, String> normalised = broker.logs().validateNewTopic(topic.name(), partitions, configs);
                    int active = broker.logs().metadata().image().activeBrokers().size();
                    if (assignment == null && replicationFactor > active) {
                        throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor + " larger than available brokers: " + active + ".");
                    }
                    created = new TopicInfo(topic.name(), org.apache.kafka.common.Uuid.ZERO_UUID, partitions, normalised);
                } else {
                    created = broker.logs().createTopic(topic.name(), partitions, replicationFactor, assignment, configs);
                }
                result.setErrorCode(Errors.NONE.code())
                        .setTopicId(created.id())
                        .setNumPartitions(created.partitions())
                        .setReplicationFactor(replicationFactor);
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

    /** The explicit replica assignment, in partition order, or null when the broker places replicas. */
    private static List<List<Integer>> assignment(CreateTopicsRequestData.CreatableTopic topic) {
        if (topic.assignments().isEmpty()) {
            return null;
        }
        if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
            throw new org.apache.kafka.common.errors.InvalidRequestException(
                    "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
        }
        List<List<Integer>> byPartition = new java.util.ArrayList<>();
        for (int p = 0; p < topic.assignments().size(); p++) {
            CreateTopicsRequestData.CreatableReplicaAssignment a = topic.assignments().find(p);
            if (a == null) {
                throw new InvalidReplicaAssignmentException("Replica assignments must cover partitions 0 to " + (topic.assignments().size() - 1) + ".");
            }
            byPartition.add(List.copyOf(a.brokerIds()));
        }
        return byPartition;
    }

    private short replicationFactor(CreateTopicsRequestData.CreatableTopic topic) {
        short factor = topic.replicationFactor() == -1 ? broker.config().defaultReplicationFactor() : topic.replicationFactor();
        if (factor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 to use the default value.");
        }
        return factor;
    }
}
