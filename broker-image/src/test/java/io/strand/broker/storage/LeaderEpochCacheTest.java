package io.strand.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    @Test
    void endOffsetForFollowsKafkaSemantics() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        assertThat(cache.endOffsetFor(0, 0).undefined()).isTrue();
        cache.assign(1, 0);
        cache.assign(3, 10);
        cache.assign(5, 25);
        long leo = 40;
        assertThat(cache.endOffsetFor(-1, leo)).isEqualTo(new LeaderEpochCache.EpochEnd(-1, -1));
        assertThat(cache.endOffsetFor(5, leo)).isEqualTo(new LeaderEpochCache.EpochEnd(5, 40)); // latest: ends at the LEO
        assertThat(cache.endOffsetFor(3, leo)).isEqualTo(new LeaderEpochCache.EpochEnd(3, 25));
        assertThat(cache.endOffsetFor(4, leo)).isEqualTo(new LeaderEpochCache.EpochEnd(3, 25)); // unknown: largest smaller one
        assertThat(cache.endOffsetFor(0, leo)).isEqualTo(new LeaderEpochCache.EpochEnd(0, 0)); // before the first epoch
        assertThat(cache.endOffsetFor(6, leo).undefined()).isTrue(); // newer than anything here
        assertThat(cache.latestEpoch()).isEqualTo(5);
        assertThat(cache.startOffsetOf(3)).isEqualTo(10);
    }

    @Test
    void assignIgnoresOlderEpochsAndDropsEntriesAtOrAfterANewStart() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        assertThat(cache.assign(2, 0)).isTrue();
        assertThat(cache.assign(2, 5)).isFalse();
        assertThat(cache.assign(1, 7)).isFalse();
        cache.assign(3, 10);
        assertThat(cache.entries()).isEqualTo(Map.of(2, 0L, 3, 10L));
    }

    @Test
    void truncationAndPersistence() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(0, 0);
        cache.assign(1, 10);
        cache.assign(2, 20);
        cache.truncateFromEnd(15);
        assertThat(cache.entries()).isEqualTo(Map.of(0, 0L, 1, 10L));
        cache.truncateFromStart(12);
        assertThat(cache.entries()).isEqualTo(Map.of(1, 12L));
        assertThat(LeaderEpochCache.load(dir).entries()).isEqualTo(Map.of(1, 12L));
        cache.clear();
        assertThat(LeaderEpochCache.load(dir).entries()).isEmpty();
    }
}
