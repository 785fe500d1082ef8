package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction seen by real clients: a compacted topic shrinks to the latest value per key, records keep the
 * offsets they were produced at (consumers see gaps), deleted keys disappear after delete.retention.ms, and produce
 * and fetch keep working while the cleaner runs.
 */
class CompactionIT {
    private static final String TOPIC = "compacted";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;

    /** What was produced at an offset. */
    record Produced(String key, String value) {
    }

    @Test
    void compactsToTheLatestValuePerKeyWithStableOffsets() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), Map.of("log.cleaner.backoff.ms", "100"));
             Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact",
                    "segment.bytes", "4096",
                    "segment.ms", "300",
                    "min.cleanable.dirty.ratio", "0.01",
                    "delete.retention.ms", "1000",
                    "file.delete.delay.ms", "2000")))).all().get(15, TimeUnit.SECONDS);

            Map<Long, Produced> produced = new ConcurrentHashMap<>();
            Map<String, Long> latest = new HashMap<>();
            // 10 keys x 40 rounds, in multi-record batches: gzip, zstd and uncompressed producers take turns
            List<KafkaProducer<String, String>> producers = List.of(producer(broker, "gzip"), producer(broker, "zstd"), producer(broker, "none"));
            try {
                for (int round = 0; round < 40; round++) {
                    KafkaProducer<String, String> p = producers.get(round % producers.size());
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    List<Produced> records = new ArrayList<>();
                    for (int k = 0; k < 10; k++) {
                        Produced r = new Produced("k" + k, "v" + round + "-" + "x".repeat(20));
                        records.add(r);
                        sent.add(p.send(new ProducerRecord<>(TOPIC, 0, r.key(), r.value())));
                    }
                    p.flush();
                    for (int i = 0; i < sent.size(); i++) record(produced, latest, sent.get(i).get(10, TimeUnit.SECONDS).offset(), records.get(i));
                }
                for (String deleted : List.of("k8", "k9")) { // tombstones
                    long offset = producers.get(0).send(new ProducerRecord<>(TOPIC, 0, deleted, null)).get(10, TimeUnit.SECONDS).offset();
                    record(produced, latest, offset, new Produced(deleted, null));
                }
            } finally {
                producers.forEach(KafkaProducer::close);
            }
            long producedEnd = produced.size();

            // While the cleaner works: a producer keeps updating other keys, a consumer keeps reading from the start.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger churnRounds = new AtomicInteger();
            Map<String, Long> churnLatest = new ConcurrentHashMap<>();
            Thread churn = new Thread(() -> {
                try (KafkaProducer<String, String> p = producer(broker, "lz4")) {
                    while (!stop.get()) {
                        int n = churnRounds.getAndIncrement();
                        Produced r = new Produced("c" + n % 3, "c" + n);
                        long offset = p.send(new ProducerRecord<>(TOPIC, 0, r.key(), r.value())).get(10, TimeUnit.SECONDS).offset();
                        produced.put(offset, r);
                        churnLatest.put(r.key(), offset);
                        Thread.sleep(20);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "churn");
            churn.start();
            List<ConsumerRecord<String, String>> view;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
                do {
                    Thread.sleep(500);
                    view = readToEnd(consumer);
                    assertConsistent(view, produced);
                } while (!compacted(view, latest) && System.nanoTime() < deadline && failure.get() == null);
                stop.set(true);
                churn.join(15_000);
                assertThat(failure.get()).isNull();
                assertThat(churnRounds.get()).as("produce kept working during compaction").isGreaterThan(10);
                assertThat(compacted(view, latest)).as("compacted within 40 s: %s", summary(view)).isTrue();

                // the main keys: exactly their latest value at its original offset; deleted keys gone
                view = readToEnd(consumer);
                assertConsistent(view, produced);
                Map<String, Long> seen = new HashMap<>();
                for (ConsumerRecord<String, String> r : view) {
                    if (r.key().startsWith("k")) assertThat(seen.put(r.key(), r.offset())).as("%s twice", r.key()).isNull();
                }
                Map<String, Long> expected = new HashMap<>(latest);
                expected.remove("k8");
                expected.remove("k9");
                assertThat(seen).isEqualTo(expected);
                // the churned keys: their latest value is there, at its offset
                Map<String, Long> lastChurn = new HashMap<>();
                view.stream().filter(r -> r.key().startsWith("c")).forEach(r -> lastChurn.put(r.key(), r.offset()));
                assertThat(lastChurn).isEqualTo(churnLatest);
                // offsets are stable: the end offset is what was produced, and consumers see gaps below it
                long end = consumer.endOffsets(List.of(TP)).get(TP);
                assertThat(end).isEqualTo(produced.size()).isGreaterThan(producedEnd);
                assertThat(consumer.beginningOffsets(List.of(TP)).get(TP)).isZero();
                assertThat(view.size()).isLessThan((int) (end / 2));
                assertThat(view.get(0).offset()).isGreaterThan(0);
            }
        }
    }

    private static void record(Map<Long, Produced> produced, Map<String, Long> latest, long offset, Produced r) {
        produced.put(offset, r);
        latest.put(r.key(), offset);
    }

    private static KafkaProducer<String, String> producer(BrokerProcess broker, String compression) {
        return Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.LINGER_MS_CONFIG, 50, ProducerConfig.ACKS_CONFIG, "all"));
    }

    /** Reads the partition from the beginning to its current end. */
    private static List<ConsumerRecord<String, String>> readToEnd(KafkaConsumer<String, String> consumer) {
        consumer.assign(List.of(TP));
        consumer.seekToBeginning(List.of(TP));
        long end = consumer.endOffsets(List.of(TP)).get(TP);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (consumer.position(TP) < end && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(consumer.position(TP)).as("read to the end offset " + end).isGreaterThanOrEqualTo(end);
        return out;
    }

    /** Every consumed record is the one produced at its offset, in ascending offset order. */
    private static void assertConsistent(List<ConsumerRecord<String, String>> view, Map<Long, Produced> produced) {
        long prev = -1;
        for (ConsumerRecord<String, String> r : view) {
            assertThat(r.offset()).isGreaterThan(prev);
            prev = r.offset();
            Produced p = produced.get(r.offset());
            if (p == null) continue; // produced by the churn thread, its ack not yet recorded
            assertThat(new Produced(r.key(), r.value())).as("record at offset %d", r.offset()).isEqualTo(p);
        }
    }

    /** The main keys appear once each at their latest offset, and the deleted keys (tombstones included) are gone. */
    private static boolean compacted(List<ConsumerRecord<String, String>> view, Map<String, Long> latest) {
        Map<String, Long> seen = new HashMap<>();
        for (ConsumerRecord<String, String> r : view) {
            if (!r.key().startsWith("k")) continue;
            if (seen.put(r.key(), r.offset()) != null) return false;
        }
        Map<String, Long> expected = new HashMap<>(latest);
        expected.remove("k8");
        expected.remove("k9");
        return seen.equals(expected);
    }

    private static String summary(List<ConsumerRecord<String, String>> view) {
        Map<String, Integer> counts = new HashMap<>();
        view.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        return view.size() + " records, per key " + counts;
    }
}
