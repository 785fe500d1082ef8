package io.strand.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataLogTest {
    @TempDir
    Path dir;

    @Test
    void replaysCommittedRecordsAndCutsATornTail() throws Exception {
        try (LocalMetadataLog log = LocalMetadataLog.open(1, dir)) {
            assertThat(log.submit(new MetadataRecord.CreateTopic(topic("a"))).get().ok()).isTrue();
            assertThat(log.submit(new MetadataRecord.CreateTopic(topic("a"))).get().error()).contains("already exists");
            assertThat(log.submit(new MetadataRecord.AllocateProducerIds(1000)).get().value()).isEqualTo("0");
        }
        Files.write(dir.resolve("metadata.log"), new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);
        try (LocalMetadataLog log = LocalMetadataLog.open(1, dir)) {
            assertThat(log.image().topics()).containsOnlyKeys("a");
            assertThat(log.image().nextProducerId()).isEqualTo(1000);
            assertThat(log.submit(new MetadataRecord.CreateTopic(topic("b"))).get().ok()).isTrue();
        }
        try (LocalMetadataLog log = LocalMetadataLog.open(1, dir)) {
            assertThat(log.image().topics()).containsOnlyKeys("a", "b");
        }
    }

    @Test
    void snapshotsKeepTheImage() throws Exception {
        try (LocalMetadataLog log = LocalMetadataLog.open(1, dir)) {
            for (int i = 0; i < LocalMetadataLog.SNAPSHOT_EVERY + 5; i++) {
                log.submit(new MetadataRecord.AllocateProducerIds(1)).get();
            }
        }
        assertThat(Files.exists(dir.resolve("metadata.snapshot"))).isTrue();
        assertThat(Files.size(dir.resolve("metadata.log"))).isLessThan(1000);
        try (LocalMetadataLog log = LocalMetadataLog.open(1, dir)) {
            assertThat(log.image().nextProducerId()).isEqualTo(LocalMetadataLog.SNAPSHOT_EVERY + 5);
        }
    }

    private static TopicMetadata topic(String name) {
        return new TopicMetadata(name, Uuid.randomUuid(), Map.of("retention.ms", "1"), List.of(PartitionState.initial(List.of(1), List.of(1), 1)));
    }
}
