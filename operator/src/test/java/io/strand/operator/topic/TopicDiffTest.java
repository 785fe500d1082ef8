package io.strand.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.operator.api.TopicSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicDiffTest {

    @Test
    void aTopicMatchingItsSpecNeedsNothing() {
        TopicDiff diff = TopicDiff.between(spec(3, 1, Map.of("retention.ms", "1000")),
                actual(3, 1, Map.of("retention.ms", "1000")), List.of("retention.ms"));

        assertThat(diff.changesTopic()).isFalse();
        assertThat(diff.notSupported()).isEmpty();
    }

    @Test
    void setsManagedKeysWhoseOverrideDiffersOrIsMissing() {
        TopicDiff diff = TopicDiff.between(spec(null, null, Map.of("retention.ms", "1000", "cleanup.policy", "compact")),
                actual(1, 1, Map.of("retention.ms", "5")), List.of());

        assertThat(diff.set()).containsExactly(Map.entry("cleanup.policy", "compact"), Map.entry("retention.ms", "1000"));
        assertThat(diff.delete()).isEmpty();
    }

    @Test
    void listValuesDifferingOnlyInBlanksAreNotADrift() {
        TopicDiff diff = TopicDiff.between(spec(null, null, Map.of("cleanup.policy", " compact, delete")),
                actual(1, 1, Map.of("cleanup.policy", "compact,delete")), List.of());

        assertThat(diff.set()).isEmpty();
    }

    @Test
    void deletesOnlyPreviouslyManagedKeysThatLeftTheSpec() {
        TopicDiff diff = TopicDiff.between(spec(null, null, Map.of("retention.ms", "1000")),
                actual(1, 1, Map.of("retention.ms", "1000", "cleanup.policy", "compact", "segment.bytes", "1048576",
                        "max.message.bytes", "2000")),
                List.of("retention.ms", "cleanup.policy", "min.insync.replicas"));

        // min.insync.replicas has no override left to delete; segment.bytes and max.message.bytes were never managed
        assertThat(diff.delete()).containsExactly("cleanup.policy");
        assertThat(diff.set()).isEmpty();
    }

    @Test
    void omittedConfigMeansLeaveAsIsUnlessKeysWereManaged() {
        TopicDiff untouched = TopicDiff.between(spec(null, null, null), actual(1, 1, Map.of("retention.ms", "5")), null);
        assertThat(untouched.changesTopic()).isFalse();

        TopicDiff removed = TopicDiff.between(spec(null, null, null), actual(1, 1, Map.of("retention.ms", "5")),
                List.of("retention.ms"));
        assertThat(removed.delete()).containsExactly("retention.ms");
    }

    @Test
    void partitionsOnlyGrowAndOmittedPartitionsAreLeftAlone() {
        assertThat(TopicDiff.between(spec(6, null, null), actual(3, 1, Map.of()), List.of()).increasePartitionsTo())
                .isEqualTo(6);
        assertThat(TopicDiff.between(spec(null, null, null), actual(3, 1, Map.of()), List.of()).changesTopic()).isFalse();

        TopicDiff fewer = TopicDiff.between(spec(2, null, Map.of("retention.ms", "1")), actual(3, 1, Map.of()), List.of());
        assertThat(fewer.increasePartitionsTo()).isNull();
        assertThat(fewer.notSupported()).singleElement().asString().contains("3 partitions", "cannot be removed");
        // the configs still converge while the partition count is refused
        assertThat(fewer.set()).containsEntry("retention.ms", "1");
    }

    @Test
    void anotherReplicationFactorIsNotSupportedButAnOmittedOneIsFine() {
        assertThat(TopicDiff.between(spec(null, 3, null), actual(1, 1, Map.of()), List.of()).notSupported())
                .singleElement().asString().contains("replication factor 1", "spec.replicationFactor is 3");
        assertThat(TopicDiff.between(spec(null, null, null), actual(1, 1, Map.of()), List.of()).notSupported()).isEmpty();
    }

    @Test
    void managedKeysAreTheSpecsOnceAppliedAndKeepPendingDeletesOtherwise() {
        TopicSpec spec = spec(null, null, Map.of("retention.ms", "1", "cleanup.policy", "compact"));

        assertThat(TopicDiff.managedAfter(spec)).containsExactly("cleanup.policy", "retention.ms");
        assertThat(TopicDiff.managedAfter(spec(null, null, null))).isEmpty();
        assertThat(TopicDiff.managedPending(spec, List.of("segment.ms", "retention.ms")))
                .containsExactly("cleanup.policy", "retention.ms", "segment.ms");
    }

    private static TopicDiff.Actual actual(int partitions, int replicationFactor, Map<String, String> overrides) {
        return new TopicDiff.Actual(partitions, replicationFactor, overrides);
    }

    static TopicSpec spec(Integer partitions, Integer replicationFactor, Map<String, String> config) {
        TopicSpec spec = new TopicSpec();
        spec.setClusterRef("c");
        spec.setPartitions(partitions);
        spec.setReplicationFactor(replicationFactor);
        spec.setConfig(config);
        return spec;
    }
}
