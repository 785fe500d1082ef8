package io.strand.broker.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.storage.LogConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compaction topic configs reach the storage layer's {@link LogConfig}. */
class TopicConfigsCompactionTest {
    static LogConfig logConfig(Map<String, String> overrides) {
        return TopicConfigs.toLogConfig(TopicConfigs.effective(BrokerConfig.defaults(), TopicConfigs.validate(overrides)));
    }

    @Test
    void compactOnlyTopicsKeepEverythingForeverAndCarryTheCleanerSettings() {
        LogConfig c = logConfig(Map.of("cleanup.policy", "compact", "delete.retention.ms", "1000", "min.cleanable.dirty.ratio", "0.25",
                "min.compaction.lag.ms", "5", "max.compaction.lag.ms", "60000", "segment.ms", "120000", "retention.ms", "10"));
        assertThat(c.compact()).isTrue();
        assertThat(c.retentionMs()).isEqualTo(-1);
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.deleteRetentionMs()).isEqualTo(1000);
        assertThat(c.minCleanableDirtyRatio()).isEqualTo(0.25);
        assertThat(c.minCompactionLagMs()).isEqualTo(5);
        assertThat(c.maxCompactionLagMs()).isEqualTo(60000);
        assertThat(c.effectiveRollMs()).isEqualTo(60000);
    }

    @Test
    void compactDeleteTopicsAlsoExpire() {
        LogConfig c = logConfig(Map.of("cleanup.policy", "compact,delete", "retention.ms", "10"));
        assertThat(c.compact()).isTrue();
        assertThat(c.retentionMs()).isEqualTo(10);
        LogConfig d = logConfig(Map.of());
        assertThat(d.compact()).isFalse();
        assertThat(d.minCleanableDirtyRatio()).isEqualTo(0.5);
        assertThat(d.deleteRetentionMs()).isEqualTo(86_400_000L);
    }
}
