package io.strand.broker.server.handlers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Per-topic traffic counters ({@code strand_topic_bytes_in_total{topic=...}} and friends). Client traffic and
 * replication are counted apart, as in Kafka (BytesOutPerSec vs ReplicationBytesOutPerSec), so that "out" means what
 * consumers received. Thread-safe; the hot path does one map lookup per partition and topic, never per record.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();

    private record TopicMeters(Counter bytesIn, Counter messagesIn, Counter bytesOut, Counter messagesOut, Counter replicationBytesOut,
                               Counter failedProduce) {
        void removeFrom(MeterRegistry registry) {
            for (Counter c : new Counter[] {bytesIn, messagesIn, bytesOut, messagesOut, replicationBytesOut, failedProduce}) {
                registry.remove(c);
            }
        }
    }

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private TopicMeters meters(String topic) {
        TopicMeters m = topics.get(topic);
        return m != null ? m : topics.computeIfAbsent(topic, t -> new TopicMeters(
                counter("strand.topic.bytes.in", "Record batch bytes appended by producers", t),
                counter("strand.topic.messages.in", "Records appended by producers", t),
                counter("strand.topic.bytes.out", "Record bytes sent to consumers (not to follower replicas)", t),
                counter("strand.topic.messages.out", "Offsets sent to consumers: records, plus offsets removed by compaction inside the range", t),
                counter("strand.topic.replication.bytes.out", "Record bytes sent to follower replicas", t),
                counter("strand.topic.failed.produce", "Partition appends refused with an error", t)));
    }

    private Counter counter(String name, String description, String topic) {
        return Counter.builder(name).description(description).tag("topic", topic).register(registry);
    }

    void produced(String topic, int bytes, long records) {
        TopicMeters m = meters(topic);
        m.bytesIn().increment(bytes);
        m.messagesIn().increment(records);
    }

    void produceFailed(String topic) {
        meters(topic).failedProduce().increment();
    }

    void fetched(String topic, int bytes, long offsets) {
        TopicMeters m = meters(topic);
        m.bytesOut().increment(bytes);
        m.messagesOut().increment(offsets);
    }

    void replicated(String topic, int bytes) {
        meters(topic).replicationBytesOut().increment(bytes);
    }

    /**
     * Drops the counters of topics that no longer exist, so deleted topics do not stay in every scrape. A request
     * racing with this may count into a removed counter (lost) or re-create the topic's meters; both are harmless.
     */
    public void retainTopics(Predicate<String> exists) {
        topics.entrySet().removeIf(e -> {
            if (exists.test(e.getKey())) {
                return false;
            }
            e.getValue().removeFrom(registry);
            return true;
        });
    }
}
