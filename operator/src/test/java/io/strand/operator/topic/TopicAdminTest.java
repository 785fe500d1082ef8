package io.strand.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.strand.operator.api.Topic;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;

/** Which failures JOSDK retries with backoff (Unavailable) and which become a Rejected condition. */
class TopicAdminTest {

    @Test
    void transientFailuresAreRetried() {
        assertThat(TopicAdmin.classify("describe", "c", new ExecutionException(
                new org.apache.kafka.common.errors.TimeoutException("no node")))).isInstanceOf(TopicAdmin.Unavailable.class)
                .hasMessageContaining("cluster 'c'").hasMessageContaining("no node");
        assertThat(TopicAdmin.classify("describe", "c", new ExecutionException(new DisconnectException())))
                .isInstanceOf(TopicAdmin.Unavailable.class).hasMessageContaining("DisconnectException");
        assertThat(TopicAdmin.classify("describe", "c", new ExecutionException(new TimeoutException())))
                .isInstanceOf(TopicAdmin.Unavailable.class);
        assertThat(TopicAdmin.classify("create", "c", new ExecutionException(new TopicExistsException("racing"))))
                .isInstanceOf(TopicAdmin.Unavailable.class);
        assertThat(TopicAdmin.classify("connect", "c", new KafkaException("No resolvable bootstrap urls")))
                .isInstanceOf(TopicAdmin.Unavailable.class);
    }

    @Test
    void refusalsOfTheSpecAreNotRetried() {
        assertThat(TopicAdmin.classify("alter", "c", new ExecutionException(new InvalidConfigurationException("bad value"))))
                .isInstanceOf(TopicAdmin.Rejected.class).hasMessageContaining("bad value");
        assertThat(TopicAdmin.classify("create", "c", new ExecutionException(new InvalidReplicationFactorException("3 > 1"))))
                .isInstanceOf(TopicAdmin.Rejected.class);
    }

    @Test
    void theDeletePolicyDefaultsToDeleteAndReadsKeepCaseInsensitively() {
        assertThat(TopicReconciler.deletePolicy(annotated(null))).isEqualTo(TopicReconciler.DELETE);
        assertThat(TopicReconciler.deletePolicy(annotated(Map.of(TopicReconciler.DELETE_POLICY_ANNOTATION, " Keep "))))
                .isEqualTo(TopicReconciler.KEEP);
        assertThat(TopicReconciler.deletePolicy(annotated(Map.of(TopicReconciler.DELETE_POLICY_ANNOTATION, "retain"))))
                .isEqualTo("retain");
    }

    private static Topic annotated(Map<String, String> annotations) {
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder().withName("t").withNamespace("ns").withAnnotations(annotations).build());
        return topic;
    }
}
