package io.strand.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.strand.operator.api.Topic;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicClaimsTest {

    private static final String T0 = "2025-01-01T10:00:00Z";
    private static final String T1 = "2025-01-01T10:00:01Z";

    @Test
    void theKeyIsNamespaceClusterAndTopicNameDefaultingToTheResourceName() {
        assertThat(TopicClaims.key(topic("orders", null, T0))).isEqualTo("ns/c/orders");
        assertThat(TopicClaims.key(topic("orders-v2", "orders", T0))).isEqualTo("ns/c/orders");
        Topic noSpec = topic("bare", null, T0);
        noSpec.setSpec(null);
        assertThat(TopicClaims.key(noSpec)).isEqualTo("ns/null/bare");
    }

    @Test
    void theOldestClaimantOwnsTheTopicThenTheFirstName() {
        Topic old = topic("zeta", "shared", T0);
        Topic young = topic("alpha", "shared", T1);
        Topic twin = topic("beta", "shared", T0);

        assertThat(TopicClaims.owner(young, List.of(old, young)).orElseThrow()).isSameAs(old);
        assertThat(TopicClaims.owner(old, List.of(young)).orElseThrow()).isSameAs(old);
        // same second: the name decides, whichever resource asks
        assertThat(TopicClaims.owner(old, List.of(old, twin)).orElseThrow()).isSameAs(twin);
        assertThat(TopicClaims.owner(twin, List.of(old)).orElseThrow()).isSameAs(twin);
    }

    @Test
    void aClaimantBeingDeletedHandsTheTopicOver() {
        Topic old = deleting(topic("first", "shared", T0));
        Topic young = topic("second", "shared", T1);

        assertThat(TopicClaims.owner(young, List.of(old, young)).orElseThrow()).isSameAs(young);
    }

    @Test
    void aResourceAloneMayDeleteItsTopic() {
        Topic only = deleting(topic("only", null, T0));

        assertThat(TopicClaims.mayDeleteTopic(only, List.of())).isTrue();
        assertThat(TopicClaims.mayDeleteTopic(only, List.of(only))).isTrue();
    }

    @Test
    void neverDeletesATopicAnotherLiveResourceStillNames() {
        Topic owner = deleting(topic("first", "shared", T0));
        Topic loser = topic("second", "shared", T1);

        assertThat(TopicClaims.mayDeleteTopic(owner, List.of(owner, loser))).isFalse();
        assertThat(TopicClaims.mayDeleteTopic(deleting(loser), List.of(topic("first", "shared", T0)))).isFalse();
    }

    @Test
    void amongResourcesAllBeingDeletedOnlyTheSeniorOneDeletes() {
        Topic owner = deleting(topic("first", "shared", T0));
        Topic loser = deleting(topic("second", "shared", T1));

        assertThat(TopicClaims.mayDeleteTopic(owner, List.of(owner, loser))).isTrue();
        assertThat(TopicClaims.mayDeleteTopic(loser, List.of(owner, loser))).isFalse();
    }

    private static Topic deleting(Topic topic) {
        topic.getMetadata().setDeletionTimestamp("2025-01-02T00:00:00Z");
        return topic;
    }

    static Topic topic(String name, String topicName, String created) {
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
        topic.setSpec(TopicDiffTest.spec(null, null, null));
        topic.getSpec().setTopicName(topicName);
        return topic;
    }
}
