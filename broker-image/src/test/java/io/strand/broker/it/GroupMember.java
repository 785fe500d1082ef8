package io.strand.broker.it;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member for tests: a real KafkaConsumer subscribed to topics, polled on its own thread (the consumer is not
 * thread-safe), publishing what it was assigned and consumed.
 */
final class GroupMember implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int generation = -1;
    final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
    final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile Throwable failure;

    GroupMember(String bootstrap, String groupId, List<String> topics, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupId, ConsumerConfig.CLIENT_ID_CONFIG,
                "member-" + System.nanoTime()));
        config.putAll(extra);
        consumer = Clients.consumer(bootstrap, config);
        consumer.subscribe(topics);
        thread = new Thread(this::run, "group-member-" + groupId);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    records.add(record);
                    positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                }
                assignment = Set.copyOf(consumer.assignment());
                generation = consumer.groupMetadata().generationId();
                for (Runnable action : pending) {
                    pending.remove(action);
                    action.run();
                }
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    int generation() {
        return generation;
    }

    Throwable failure() {
        return failure;
    }

    /** Runs {@code action} on the polling thread between polls (the consumer may only be used from there). */
    void onPollThread(java.util.function.Consumer<KafkaConsumer<String, String>> action) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        pending.add(() -> {
            try {
                action.accept(consumer);
            } finally {
                done.countDown();
            }
        });
        if (!done.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("poll thread did not run the action");
        }
    }

    private final List<Runnable> pending = new CopyOnWriteArrayList<>();

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the members' assignments are disjoint and together cover exactly {@code partitions}. */
    static void awaitSplit(Set<TopicPartition> partitions, Duration timeout, GroupMember... members) {
        await(timeout, () -> {
            Set<TopicPartition> union = new HashSet<>();
            int total = 0;
            for (GroupMember m : members) {
                union.addAll(m.assignment());
                total += m.assignment().size();
            }
            return union.equals(partitions) && total == partitions.size() && java.util.Arrays.stream(members).noneMatch(m -> m.assignment().isEmpty());
        }, () -> describe(members));
    }

    static String describe(GroupMember... members) {
        StringBuilder out = new StringBuilder();
        for (GroupMember m : members) {
            out.append(m.assignment()).append(" gen ").append(m.generation()).append(m.failure() == null ? "" : " failed: " + m.failure()).append("; ");
        }
        return out.toString();
    }

    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + timeout + ": " + what.get());
    }
}
