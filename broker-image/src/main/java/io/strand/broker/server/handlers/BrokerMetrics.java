package io.strand.broker.server.handlers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-topic traffic counters ({@code strand_topic_bytes_in_total{topic=...}} and friends). Thread-safe. */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();

    private record TopicMeters(Counter bytesIn, Counter messagesIn, Counter bytesOut, Counter failedProduce) {
    }

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private TopicMeters meters(String topic) {
        return topics.computeIfAbsent(topic, t -> new TopicMeters(
                Counter.builder("strand.topic.bytes.in").description("Record batch bytes appended").tag("topic", t).register(registry),
                Counter.builder("strand.topic.messages.in").description("Records appended").tag("topic", t).register(registry),
                Counter.builder("strand.topic.bytes.out").description("Record bytes sent to consumers").tag("topic", t).register(registry),
                Counter.builder("strand.topic.failed.produce").description("Partition appends refused with an error").tag("topic", t).register(registry)));
    }

    void produced(String topic, int bytes, long records) {
        TopicMeters m = meters(topic);
        m.bytesIn().increment(bytes);
        m.messagesIn().increment(records);
    }

    void produceFailed(String topic) {
        meters(topic).failedProduce().increment();
    }

    void fetched(String topic, int bytes) {
        meters(topic).bytesOut().increment(bytes);
    }
}
