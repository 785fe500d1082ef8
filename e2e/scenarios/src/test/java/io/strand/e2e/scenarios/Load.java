package io.strand.e2e.scenarios;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer that keeps sending keyed records (acks=all, idempotent, retrying) in the background until stopped, at a
 * bounded rate, count and time; it remembers what was acknowledged and what failed.
 */
final class Load implements AutoCloseable {

    static final int KEYS = 64;
    private static final Duration MAX_RUN = Duration.ofMinutes(4);
    private static final int MAX_RECORDS = 200_000;

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final String prefix;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    Load(String bootstrap, String topic, String prefix) {
        this.producer = producer(bootstrap);
        this.topic = topic;
        this.prefix = prefix;
        this.thread = new Thread(this::run, "load-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                "metadata.max.age.ms", 5_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private void run() {
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        try {
            for (int i = 0; running && i < MAX_RECORDS && System.nanoTime() < deadline; i++) {
                String value = prefix + i;
                sent.incrementAndGet();
                producer.send(new ProducerRecord<>(topic, "k" + (i % KEYS), value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(value);
                    } else {
                        failures.add(value + ": " + error);
                    }
                });
                Thread.sleep(4);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failures.add("send threw " + e);
        }
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Stops sending, waits for every send in flight to be acknowledged or to fail, and closes the producer. */
    Result stop() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30).toMillis());
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        return new Result(sent.get(), Set.copyOf(acknowledged), List.copyOf(failures));
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(5));
    }

    record Result(int sent, Set<String> acknowledged, List<String> failures) {
    }
}
