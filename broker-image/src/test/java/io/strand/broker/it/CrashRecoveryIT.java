package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 under load: every record acknowledged with acks=1 is still there after restart, at the offset it was
 * acknowledged with; the surviving log has no gaps or duplicates; a torn write at the tail is cut off on start.
 */
class CrashRecoveryIT {
    private static final int PARTITIONS = 3;

    @Test
    void acknowledgedRecordsSurviveKillNineAndATornTail(@TempDir Path dir) throws Exception {
        // small segments so the crash lands with several segments per partition, and recovery has indexes to rebuild
        BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), Map.of("num.partitions", Integer.toString(PARTITIONS),
                "log.segment.bytes", Integer.toString(256 * 1024)));
        try {
            Map<String, ConcurrentSkipListMap<Long, String>> acked = Map.of(
                    "0", new ConcurrentSkipListMap<>(), "1", new ConcurrentSkipListMap<>(), "2", new ConcurrentSkipListMap<>());
            KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "1",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.LINGER_MS_CONFIG, 2, ProducerConfig.RETRIES_CONFIG, 0));
            long sendUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int sent = 0;
            while (System.nanoTime() < sendUntil && sent < 2_000_000) {
                String value = "value-" + sent + "-" + "x".repeat(200);
                int partition = sent % PARTITIONS;
                producer.send(new ProducerRecord<>("crash", partition, Integer.toString(sent), value), (metadata, error) -> {
                    if (error == null) {
                        acked.get(Integer.toString(metadata.partition())).put(metadata.offset(), value);
                    }
                });
                sent++;
            }
            broker.kill();
            producer.close(Duration.ZERO);
            int totalAcked = acked.values().stream().mapToInt(Map::size).sum();
            assertThat(totalAcked).as("records acknowledged before the crash").isGreaterThan(1000);

            Path tornSegment = lastSegment(dir.resolve("data").resolve("crash-0"));
            long sizeBeforeTear = Files.size(tornSegment);
            appendTornBatch(tornSegment);

            broker.restart();
            assertThat(Files.size(tornSegment)).as("the torn tail is truncated on recovery").isEqualTo(sizeBeforeTear);

            try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
                for (int p = 0; p < PARTITIONS; p++) {
                    TopicPartition tp = new TopicPartition("crash", p);
                    long end = consumer.endOffsets(List.of(tp)).get(tp);
                    ConcurrentSkipListMap<Long, String> ackedHere = acked.get(Integer.toString(p));
                    assertThat(end).as("end offset of " + tp).isGreaterThan(ackedHere.lastKey());
                    List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, tp, (int) end, Duration.ofSeconds(60));
                    assertThat(records).as("records of " + tp).hasSize((int) end);
                    for (int i = 0; i < records.size(); i++) {
                        assertThat(records.get(i).offset()).as("no gap or duplicate in " + tp).isEqualTo(i);
                    }
                    ackedHere.forEach((offset, value) -> assertThat(records.get(offset.intValue()).value()).isEqualTo(value));
                    assertThat(records.stream().map(ConsumerRecord::value).distinct().count()).isEqualTo(records.size());
                }
            }
            try (KafkaProducer<String, String> again = Clients.producer(broker.bootstrap(), Map.of())) {
                TopicPartition tp = new TopicPartition("crash", 0);
                long expected = acked.get("0").lastKey() + 1;
                long offset = again.send(new ProducerRecord<>("crash", 0, "after", "restart")).get(10, TimeUnit.SECONDS).offset();
                assertThat(offset).as("appends continue after the surviving log of " + tp).isGreaterThanOrEqualTo(expected);
            }
            assertThat(broker.logs()).doesNotContain("ERROR");
        } finally {
            broker.close();
        }
    }

    private static Path lastSegment(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** The first bytes of a batch header whose body never made it to disk, as a crash mid-write leaves behind. */
    private static void appendTornBatch(Path segment) throws IOException {
        ByteBuffer torn = ByteBuffer.allocate(40);
        torn.putLong(Long.MAX_VALUE / 2).putInt(5000).putInt(0).put((byte) 2);
        byte[] noise = new byte[torn.remaining()];
        new Random(7).nextBytes(noise);
        torn.put(noise).flip();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(torn);
        }
    }
}
