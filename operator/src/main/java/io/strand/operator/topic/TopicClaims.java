package io.strand.operator.topic;

import io.strand.operator.api.Topic;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which Topic resource owns a Kafka topic when several name it. Pure: the reconciler passes what its cache holds.
 *
 * <p>The owner is the oldest live claimant (creationTimestamp, then name). Both are immutable, so once a resource owns
 * a topic no newer resource can take it away; ownership moves only when the owner is deleted.
 */
final class TopicClaims {

    private static final Comparator<Topic> SENIORITY = Comparator
            .comparing(TopicClaims::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(t -> t.getMetadata().getName());

    private TopicClaims() {
    }

    /** Resources with the same key name the same topic: namespace, cluster and topic name. */
    static String key(Topic topic) {
        // the indexers see every resource, including one the schema let through without a spec
        String clusterRef = topic.getSpec() == null ? null : topic.getSpec().getClusterRef();
        return key(topic.getMetadata().getNamespace(), clusterRef, topic.topicName());
    }

    static String key(String namespace, String clusterRef, String topicName) {
        return namespace + "/" + clusterRef + "/" + topicName;
    }

    /** The live claimant that owns the topic; {@code claimants} may or may not contain {@code self}. */
    static Optional<Topic> owner(Topic self, Collection<Topic> claimants) {
        return withSelf(self, claimants).stream().filter(t -> !deleting(t)).min(SENIORITY);
    }

    /**
     * Whether deleting {@code self} may delete the Kafka topic. Never while another live resource still names it:
     * the topic is declared there too, and the survivor takes it over. Among resources all being deleted, only the
     * senior one decides, so a resource that lost a conflict never deletes the winner's topic.
     */
    static boolean mayDeleteTopic(Topic self, Collection<Topic> claimants) {
        List<Topic> all = withSelf(self, claimants);
        if (all.stream().anyMatch(t -> !sameResource(t, self) && !deleting(t))) {
            return false;
        }
        return all.stream().min(SENIORITY).map(t -> sameResource(t, self)).orElse(true);
    }

    static boolean sameResource(Topic a, Topic b) {
        return Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace())
                && Objects.equals(a.getMetadata().getName(), b.getMetadata().getName());
    }

    static boolean deleting(Topic topic) {
        return topic.getMetadata().getDeletionTimestamp() != null;
    }

    // the cache may not have caught up with self yet (or already dropped it), and must not count it twice
    private static List<Topic> withSelf(Topic self, Collection<Topic> claimants) {
        List<Topic> all = new ArrayList<>();
        all.add(self);
        claimants.stream().filter(t -> !sameResource(t, self)).forEach(all::add);
        return all;
    }

    private static Instant createdAt(Topic topic) {
        String created = topic.getMetadata().getCreationTimestamp();
        if (created == null) {
            return null;
        }
        try {
            return Instant.parse(created);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
