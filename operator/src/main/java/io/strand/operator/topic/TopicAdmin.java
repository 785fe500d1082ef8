package io.strand.operator.topic;

import io.strand.operator.api.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topic operations the reconciler needs, over the public Admin API only, each bounded in time. Failures come out
 * as {@link Unavailable} (worth retrying: the reconciler lets JOSDK back off) or {@link Rejected} (the broker refuses
 * the spec itself: retrying the same spec would get the same answer).
 */
final class TopicAdmin {

    /** Longer than any sane Admin timeout, so the client's own deadline normally answers first. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** A topic as the broker describes it. */
    record Description(String topicId, TopicDiff.Actual actual) {
    }

    static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class Rejected extends RuntimeException {
        Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Admin admin;
    private final String cluster;

    TopicAdmin(Admin admin, String cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    Optional<Description> describe(String topic) {
        TopicDescription description;
        try {
            description = await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw classify("describe topic '" + topic + "'", e);
        }
        Map<String, String> overrides = new TreeMap<>();
        try {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = await(admin.describeConfigs(List.of(resource)).all()).get(resource);
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && entry.value() != null) {
                    overrides.put(entry.name(), entry.value());
                }
            }
        } catch (ExecutionException e) {
            throw classify("describe the configs of topic '" + topic + "'", e);
        }
        int replicationFactor = description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
        return Optional.of(new Description(id(description.topicId()),
                new TopicDiff.Actual(description.partitions().size(), replicationFactor, overrides)));
    }

    /** Creates the topic; omitted partitions and replication factor take the broker's defaults. */
    Description create(String topic, TopicSpec spec) {
        NewTopic request = new NewTopic(topic, Optional.ofNullable(spec.getPartitions()),
                Optional.ofNullable(spec.getReplicationFactor()).map(Integer::shortValue));
        if (spec.getConfig() != null) {
            request.configs(spec.getConfig());
        }
        try {
            CreateTopicsResult result = admin.createTopics(List.of(request));
            await(result.all());
            int partitions = await(result.numPartitions(topic));
            int replicationFactor = await(result.replicationFactor(topic));
            Map<String, String> overrides = spec.getConfig() == null ? Map.of() : new TreeMap<>(spec.getConfig());
            return new Description(id(await(result.topicId(topic))),
                    new TopicDiff.Actual(partitions, replicationFactor, overrides));
        } catch (ExecutionException e) {
            throw classify("create topic '" + topic + "'", e);
        }
    }

    void alterConfigs(String topic, Map<String, String> set, Collection<String> delete) {
        List<AlterConfigOp> ops = new ArrayList<>();
        set.forEach((key, value) -> ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
        delete.forEach(key -> ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE)));
        try {
            await(admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all());
        } catch (ExecutionException e) {
            throw classify("alter the configs of topic '" + topic + "'", e);
        }
    }

    void increasePartitions(String topic, int count) {
        try {
            await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(count))).all());
        } catch (ExecutionException e) {
            throw classify("increase topic '" + topic + "' to " + count + " partitions", e);
        }
    }

    /** Deletes the topic; one that is already gone counts as deleted. */
    void delete(String topic) {
        try {
            await(admin.deleteTopics(List.of(topic)).all());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw classify("delete topic '" + topic + "'", e);
            }
        }
    }

    /** Sorts a failure into retry-worthy or not; package-private for the unit test. */
    static RuntimeException classify(String action, String cluster, Throwable failure) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        String message = "could not " + action + " on cluster '" + cluster + "': " + describe(cause);
        // a topic being created or deleted by someone else at this moment: the next attempt sees where it ended up
        if (cause instanceof RetriableException || cause instanceof TopicExistsException
                || cause instanceof TimeoutException || cause instanceof InterruptedException) {
            return new Unavailable(message, cause);
        }
        if (cause instanceof ApiException) {
            return new Rejected("the broker refused to " + action + ": " + describe(cause), cause);
        }
        // non-API client failures are about reaching the cluster: bootstrap name not resolvable yet, connection lost
        if (cause instanceof KafkaException) {
            return new Unavailable(message, cause);
        }
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(message, cause);
    }

    private RuntimeException classify(String action, Throwable failure) {
        return classify(action, cluster, failure);
    }

    private <T> T await(Future<T> future) throws ExecutionException {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ExecutionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionException(e);
        }
    }

    private static String id(Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id) ? null : id.toString();
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
