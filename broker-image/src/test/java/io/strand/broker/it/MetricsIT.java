package io.strand.broker.it;

import static io.strand.broker.it.ClusterProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes /metrics of three real brokers and checks every metric family against what the test did: traffic per
 * topic, request histograms, log sizes, group lag, the active controller, under-replicated and offline partitions,
 * ISR shrinks and expands, and that the series of a deleted topic go away. The cluster is built here rather than
 * with ClusterProcess because each broker needs its own metrics port.
 */
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "metered";

    @TempDir
    Path dir;
    final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    final Map<Integer, Integer> metricsPorts = new TreeMap<>();
    Admin admin;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        brokers.values().forEach(BrokerProcess::kill);
    }

    @Test
    void everyFamilyReportsWhatTheClusterDid() throws Exception {
        startCluster();
        int controller = admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
        await(WAIT, "exactly one active controller, the one describeCluster names", () -> {
            Map<Integer, Double> active = valueOnEach("strand_controller_active", Map.of());
            return active.values().stream().filter(v -> v == 1.0).count() == 1 && Double.valueOf(1.0).equals(active.get(controller))
                    && active.values().stream().allMatch(v -> v == 0.0 || v == 1.0);
        });
        // readiness: every registered, unfenced broker answers 200 on /ready (the operator's readiness probe)
        await(WAIT, "every broker ready on /ready", () -> brokers.keySet().stream().allMatch(id -> readyStatus(id) == 200));
        int victim = brokers.keySet().stream().filter(id -> id != controller).findFirst().orElseThrow();
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 3), new NewTopic("solo", Map.of(0, List.of(victim)))))
                .all().get(20, TimeUnit.SECONDS);
        awaitSum("strand_replica_under_replicated_partitions", Map.of(), v -> v == 0);

        // traffic: 30 records to partition 0, 20 to partition 1
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i < 30 ? 0 : 1, null, "value-" + i)).get(20, TimeUnit.SECONDS);
            }
        }
        Map<String, String> topic = Map.of("topic", TOPIC);
        assertThat(sum("strand_topic_messages_in_total", topic)).isEqualTo(50);
        assertThat(sum("strand_topic_bytes_in_total", topic)).isGreaterThan(50 * "value-0".length());
        assertThat(sum("strand_requests_seconds_count", Map.of("api", "Produce"))).isGreaterThanOrEqualTo(50);
        assertThat(sum("strand_requests_seconds_bucket", Map.of("api", "Produce", "le", "+Inf"))).isGreaterThanOrEqualTo(50);
        assertThat(sum("strand_requests_seconds_bucket", Map.of("api", "Produce", "le", "30.0"))).isGreaterThanOrEqualTo(50);
        // followers copy batches byte for byte, so every replica's log ends up the same size
        for (String partition : List.of("0", "1")) {
            Map<String, String> labels = Map.of("topic", TOPIC, "partition", partition);
            await(WAIT, "equal log sizes of " + TOPIC + "-" + partition + " on all replicas", () -> {
                Map<Integer, Double> sizes = valueOnEach("strand_log_partition_size_bytes", labels);
                return sizes.size() == 3 && sizes.values().stream().distinct().count() == 1 && sizes.values().iterator().next() > 0;
            });
        }
        assertThat(sum("strand_topic_replication_bytes_out_total", topic)).isPositive();

        // a group reads everything, then commits 10 of partition 0 and all 20 of partition 1
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "lagging"))) {
            consumer.assign(List.of(p0, p1));
            int read = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read < 50 && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).isEqualTo(50);
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(20)));
        }
        assertThat(sum("strand_topic_messages_out_total", topic)).isEqualTo(50);
        assertThat(sum("strand_topic_bytes_out_total", topic)).isGreaterThan(50 * "value-0".length());
        int coordinator = admin.describeConsumerGroups(List.of("lagging")).all().get(10, TimeUnit.SECONDS).get("lagging").coordinator().id();
        // the coordinator may follow the partition: its high watermark arrives with its next replica fetch
        String[] lags = {""};
        try {
            await(WAIT, "lag 30 - 10 on partition 0 and 20 - 20 on partition 1, reported by the coordinator only", () -> {
            Map<Integer, Double> lag0 = valueOnEach("strand_group_lag", Map.of("group", "lagging", "topic", TOPIC, "partition", "0"));
            Map<Integer, Double> lag1 = valueOnEach("strand_group_lag", Map.of("group", "lagging", "topic", TOPIC, "partition", "1"));
            lags[0] = lag0 + " " + lag1;
            return lag0.equals(Map.of(coordinator, 20.0)) && lag1.equals(Map.of(coordinator, 0.0));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen (partition 0, partition 1) per broker: " + lags[0], e);
        }

        // a follower dies: its leaders shrink their ISRs (replica.lag.time.max.ms is shorter than the session
        // timeout); its only-replica partition goes offline once the controller fences it
        double shrinksBefore = sum("strand_replica_isr_shrinks_total", Map.of());
        double expandsBefore = sum("strand_replica_isr_expands_total", Map.of());
        assertThat(valueOnEach("strand_controller_offline_partitions", Map.of())).containsEntry(controller, 0.0);
        brokers.get(victim).kill();
        awaitSum("strand_replica_under_replicated_partitions", Map.of(), v -> v > 0);
        awaitSum("strand_replica_isr_shrinks_total", Map.of(), v -> v > shrinksBefore);
        await(WAIT, "the controller reports the partition only the dead broker held as offline", () ->
                valueOnEach("strand_controller_offline_partitions", Map.of()).equals(liveOnly(Map.of(controller, 1.0))));

        brokers.get(victim).restart();
        awaitSum("strand_replica_under_replicated_partitions", Map.of(), v -> v == 0);
        awaitSum("strand_replica_isr_expands_total", Map.of(), v -> v > expandsBefore);
        await(WAIT, "no offline partitions once the broker is back", 
                () -> Double.valueOf(0.0).equals(valueOnEach("strand_controller_offline_partitions", Map.of()).get(controller)));

        // deleting the topic takes its series away everywhere
        admin.deleteTopics(List.of(TOPIC)).all().get(20, TimeUnit.SECONDS);
        await(WAIT, "no series of the deleted topic", () -> brokers.keySet().stream().allMatch(id -> !scrape(id).contains("topic=\"" + TOPIC + "\"")));
        assertThat(scrape(coordinator)).contains("jvm_memory_used_bytes").contains("process_uptime_seconds").contains("jvm_threads_live_threads");
    }

    private void startCluster() throws Exception {
        String voters = java.util.stream.IntStream.rangeClosed(1, 3).mapToObj(id -> id + "@127.0.0.1:" + BrokerProcess.freePort())
                .collect(Collectors.joining(","));
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            int port = BrokerProcess.freePort();
            metricsPorts.put(id, port);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("node.id", Integer.toString(id));
            config.put("controller.quorum.voters", voters);
            config.put("controller.listener.host", "127.0.0.1");
            config.put("broker.session.timeout.ms", "6000");
            config.put("broker.heartbeat.interval.ms", "300");
            config.put("replica.lag.time.max.ms", "1500");
            config.put("group.initial.rebalance.delay.ms", "0");
            config.put("controlled.shutdown.timeout.ms", "10000");
            config.put("offsets.topic.num.partitions", "3");
            config.put("metrics.port", Integer.toString(port));
            int node = id;
            starts.add(CompletableFuture.runAsync(() -> {
                BrokerProcess broker = BrokerProcess.start(dir.resolve("broker-" + node), config);
                synchronized (brokers) {
                    brokers.put(node, broker);
                }
            }));
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        admin = Clients.admin(bootstrap());
        await(WAIT, "three brokers and a controller", () -> {
            try {
                return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 3
                        && admin.describeCluster().controller().get(5, TimeUnit.SECONDS).id() > 0;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private String bootstrap() {
        return brokers.values().stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
    }

    private int readyStatus(int id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPorts.get(id) + "/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String scrape(int id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPorts.get(id) + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The sum of the samples of {@code name} whose labels include {@code labels}, in one broker's scrape; null if none. */
    static Double value(String scrape, String name, Map<String, String> labels) {
        Double total = null;
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new TreeMap<>();
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                total = (total == null ? 0 : total) + Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    /** The value on each live broker that reports the series. */
    private Map<Integer, Double> valueOnEach(String name, Map<String, String> labels) {
        Map<Integer, Double> values = new TreeMap<>();
        for (int id : brokers.keySet()) {
            if (brokers.get(id).isAlive()) {
                Double v = value(scrape(id), name, labels);
                if (v != null) {
                    values.put(id, v);
                }
            }
        }
        return values;
    }

    private Map<Integer, Double> liveOnly(Map<Integer, Double> expectedNonZero) {
        Map<Integer, Double> all = new TreeMap<>();
        brokers.forEach((id, b) -> {
            if (b.isAlive()) {
                all.put(id, expectedNonZero.getOrDefault(id, 0.0));
            }
        });
        return all;
    }

    private double sum(String name, Map<String, String> labels) {
        return valueOnEach(name, labels).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private void awaitSum(String name, Map<String, String> labels, java.util.function.DoublePredicate condition) {
        String[] seen = {""};
        try {
            await(WAIT, name + " " + labels + " to reach the expected value", () -> {
                Map<Integer, Double> values = valueOnEach(name, labels);
                seen[0] = values.toString();
                return condition.test(values.values().stream().mapToDouble(Double::doubleValue).sum());
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen per broker: " + seen[0], e);
        }
    }
}
