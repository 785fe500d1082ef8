package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kcat (librdkafka) against a real broker process: metadata listing, keyed produce from stdin, consume, codecs. */
class KcatIT {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path dir;
    static BrokerProcess broker;
    static String kcat;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start(dir.resolve("data"),
                Map.of("node.id", "1", "auto.create.topics.enable", "true", "num.partitions", "1"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static String kcat() {
        return ExternalTool.requireOnPath("kcat", "apt-get install kcat").toString();
    }

    @Test
    void metadataListsTheBrokerAndACreatedTopic() {
        String topic = topic("kcat-meta");
        produce(topic, List.of(), "a:1\n");
        ExternalTool.Result r = kcatRun(List.of("-b", broker.bootstrap(), "-L"), null);
        assertThat(r.stdout()).as(r.output())
                .contains(" 1 brokers:")
                .contains("broker 1 at 127.0.0.1:" + broker.port())
                .contains("topic \"" + topic + "\" with 1 partitions:")
                .containsPattern("partition 0, leader 1, replicas: 1, isrs: 1");
        ExternalTool.Result one = kcatRun(List.of("-b", broker.bootstrap(), "-L", "-t", topic), null);
        assertThat(one.stdout()).as(one.output()).contains("topic \"" + topic + "\" with 1 partitions:");
    }

    @Test
    void keyedLinesFromStdinAreReadBackExactly() {
        String topic = topic("kcat-keyed");
        List<String> lines = IntStream.range(0, 200)
                .mapToObj(i -> "key-" + (i % 7) + ":value " + i + " with spaces, commas and \u00fcnicode")
                .collect(Collectors.toList());
        produce(topic, List.of(), String.join("\n", lines) + "\n");
        String expected = lines.stream().map(l -> l.replaceFirst(":", "=") + "\n").collect(Collectors.joining());
        assertThat(consume(topic, "%k=%s\\n")).isEqualTo(expected);
    }

    @Test
    void headersAndOffsetsAreReadBack() {
        String topic = topic("kcat-headers");
        produce(topic, List.of("-H", "trace=abc", "-H", "origin=kcat"), "k1:v1\nk2:v2\n");
        assertThat(consume(topic, "%o %k=%s %h\\n"))
                .isEqualTo("0 k1=v1 trace=abc,origin=kcat\n1 k2=v2 trace=abc,origin=kcat\n");
    }

    @ParameterizedTest(name = "-z {0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreReadBack(String codec) {
        String topic = topic("kcat-" + codec);
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            String value = (codec + "-" + i + "-").repeat(10);
            in.append("k").append(i % 5).append(':').append(value).append('\n');
            expected.append("k").append(i % 5).append('=').append(value).append('\n');
        }
        produce(topic, List.of("-z", codec, "-X", "linger.ms=50"), in.toString());
        assertThat(consume(topic, "%k=%s\\n")).isEqualTo(expected.toString());
    }

    static void produce(String topic, List<String> extra, String stdin) {
        List<String> args = new ArrayList<>(List.of("-P", "-b", broker.bootstrap(), "-t", topic, "-K:",
                "-X", "message.timeout.ms=30000"));
        args.addAll(extra);
        ExternalTool.Result r = kcatRun(args, stdin);
        assertThat(r.stderr()).as("kcat -P reported an error%n%s", r.output())
                .doesNotContain("ERROR").doesNotContain("Delivery failed");
    }

    static String consume(String topic, String format) {
        ExternalTool.Result r = kcatRun(List.of("-C", "-b", broker.bootstrap(), "-t", topic, "-o", "beginning", "-e",
                "-f", format), null);
        assertThat(r.stderr()).as(r.output()).doesNotContain("ERROR");
        return r.stdout();
    }

    static ExternalTool.Result kcatRun(List<String> args, String stdin) {
        List<String> cmd = new ArrayList<>();
        cmd.add(kcat());
        cmd.addAll(args);
        ExternalTool.Result r = ExternalTool.run(cmd, Map.of(), stdin, TIMEOUT);
        assertThat(r.exitCode())
                .as("kcat failed against the broker at %s%n%s%n--- broker log (tail) ---%n%s",
                        broker.bootstrap(), r.output(), PythonClientsIT.tail(broker.logs(), 60))
                .isZero();
        return r;
    }

    static String topic(String prefix) {
        return prefix + "-" + TOPICS.incrementAndGet();
    }
}
