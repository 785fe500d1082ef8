package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java producer and consumer (kafka-clients 4.x) against a real broker process. */
class JavaClientsIT {
    @TempDir
    static Path dir;
    static BrokerProcess broker;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1", "all"})
    void producedRecordsAreConsumedInOrderWithKeysAndHeaders(String acks) throws Exception {
        String topic = "acks-" + acks;
        int count = 2000;
        Map<String, Object> config = Map.of(ProducerConfig.ACKS_CONFIG, acks, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), config)) {
            for (int i = 0; i < count; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "key-" + i, "value-" + i,
                        List.<Header>of(new RecordHeader("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
                sent.add(producer.send(record));
            }
            producer.flush();
        }
        if (!acks.equals("0")) {
            for (int i = 0; i < count; i++) {
                assertThat(sent.get(i).get(10, TimeUnit.SECONDS).offset()).isEqualTo(i);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, new TopicPartition(topic, 0), count, Duration.ofSeconds(30));
            assertThat(records).hasSize(count);
            for (int i = 0; i < count; i++) {
                ConsumerRecord<String, String> record = records.get(i);
                assertThat(record.offset()).isEqualTo(i);
                assertThat(record.key()).isEqualTo("key-" + i);
                assertThat(record.value()).isEqualTo("value-" + i);
                assertThat(new String(record.headers().lastHeader("index").value(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreStoredAndServedAsProduced(String compression) throws Exception {
        String topic = "compressed-" + compression;
        int count = 3000;
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression, ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "a fairly compressible value number " + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, new TopicPartition(topic, 0), count, Duration.ofSeconds(30));
            assertThat(records).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(records.get(i).offset()).isEqualTo(i);
                assertThat(records.get(i).value()).isEqualTo("a fairly compressible value number " + i);
            }
        }
    }

    @Test
    void largeValuesUnderTheLimitAreAcceptedAndOversizedOnesRefused() throws Exception {
        String topic = "large-values";
        byte[] big = new byte[900 * 1024];
        Arrays.fill(big, (byte) 'x');
        byte[] tooBig = new byte[2 * 1024 * 1024];
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(broker.bootstrap(),
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024, ProducerConfig.ACKS_CONFIG, "all"))) {
            RecordMetadata first = producer.send(new ProducerRecord<>(topic, 0, null, big)).get(20, TimeUnit.SECONDS);
            assertThat(first.offset()).isZero();
            Future<RecordMetadata> refused = producer.send(new ProducerRecord<>(topic, 0, null, tooBig));
            assertThatThrownBy(() -> refused.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.bytesConsumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<byte[], byte[]>> records = Clients.readAll(consumer, new TopicPartition(topic, 0), 1, Duration.ofSeconds(20));
            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).isEqualTo(big);
        }
    }

    @Test
    void offsetsCanBeLookedUpByPositionAndTimestamp() throws Exception {
        String topic = "offsets-by-time";
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = 1_700_000_000_000L;
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (int i = 0; i < 100; i++) {
                // one batch per record so timestamps differ across batches as well as within
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1000L, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isZero();
            assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(100);
            Map<TopicPartition, OffsetAndTimestamp> exact = consumer.offsetsForTimes(Map.of(tp, base + 42_000L));
            assertThat(exact.get(tp).offset()).isEqualTo(42);
            assertThat(exact.get(tp).timestamp()).isEqualTo(base + 42_000L);
            Map<TopicPartition, OffsetAndTimestamp> between = consumer.offsetsForTimes(Map.of(tp, base + 42_500L));
            assertThat(between.get(tp).offset()).isEqualTo(43);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 1_000_000L)).get(tp)).isNull();

            consumer.assign(List.of(tp));
            consumer.seek(tp, 77);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records.get(0).offset()).isEqualTo(77);
            assertThat(records.get(0).value()).isEqualTo("v77");
        }
    }

    @Test
    void idempotentProducerWritesEachRecordOnce() throws Exception {
        String topic = "idempotent";
        int count = 5000;
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5, ProducerConfig.LINGER_MS_CONFIG, 1))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, Integer.toString(i)));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readAll(consumer, new TopicPartition(topic, 0), count, Duration.ofSeconds(30));
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(Integer::toString).toList());
        }
    }

    @Test
    void longPollReturnsAsSoonAsDataArrives() throws Exception {
        String topic = "long-poll";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of());
             KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of("fetch.max.wait.ms", 10_000))) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "first")).get(10, TimeUnit.SECONDS);
            assertThat(Clients.readAll(consumer, tp, 1, Duration.ofSeconds(15))).hasSize(1);
            long sentAt = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, 0, "k", "second")).get(10, TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("second");
            // far below fetch.max.wait.ms: the waiting fetch was completed by the append, not by its timeout
            assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
