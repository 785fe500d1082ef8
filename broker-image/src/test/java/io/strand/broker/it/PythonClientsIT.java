package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python clients people actually use against a real broker process: kafka-python and confluent-kafka
 * (librdkafka), driven by the scripts in src/test/python.
 *
 * <p>Each test runs once with Debian's {@code /usr/bin/python3} (python3-kafka, python3-confluent-kafka: the
 * required baseline; a pyenv python3 earlier in PATH would not see them) and, when the environment variable
 * {@code STRAND_PYTHON_CURRENT} names a virtualenv python (.ci/run makes one with the current PyPI releases),
 * once more with that interpreter. A missing interpreter or module skips locally and fails with CI=true.
 */
class PythonClientsIT {
    static final String DEBIAN_PYTHON = "/usr/bin/python3";
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
    static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path dir;
    static BrokerProcess broker;

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

    /** (label, interpreter) pairs: Debian's python always, the current-release venv when STRAND_PYTHON_CURRENT is set. */
    static Stream<Arguments> pythons() {
        List<Arguments> pythons = new ArrayList<>();
        pythons.add(Arguments.of("debian", DEBIAN_PYTHON));
        String current = System.getenv("STRAND_PYTHON_CURRENT");
        if (current != null && !current.isBlank()) {
            pythons.add(Arguments.of("current", current));
        }
        return pythons.stream();
    }

    @ParameterizedTest(name = "{0} kafka-python")
    @MethodSource("pythons")
    void kafkaPythonClassroomExampleRoundTripsJsonInOrder(String label, String python) {
        runScript(python, "kafka", "kafka_python_roundtrip.py", topic("kp-classroom-" + label), "500");
    }

    @ParameterizedTest(name = "{0} kafka-python")
    @MethodSource("pythons")
    void kafkaPythonKeysAndHeaders(String label, String python) {
        runScript(python, "kafka", "kafka_python_keys_headers.py", topic("kp-keys-" + label), "100");
    }

    @ParameterizedTest(name = "{0} kafka-python")
    @MethodSource("pythons")
    void kafkaPythonCompressionCodecs(String label, String python) {
        runScript(python, "kafka", "kafka_python_compression.py", topic("kp-codec-" + label), "300");
    }

    @ParameterizedTest(name = "{0} confluent-kafka")
    @MethodSource("pythons")
    void confluentKafkaDeliveryReportsAndAssignFromBeginning(String label, String python) {
        runScript(python, "confluent_kafka", "confluent_roundtrip.py", topic("ck-roundtrip-" + label), "500");
    }

    @ParameterizedTest(name = "{0} confluent-kafka")
    @MethodSource("pythons")
    void confluentKafkaCompressionCodecs(String label, String python) {
        runScript(python, "confluent_kafka", "confluent_compression.py", topic("ck-codec-" + label), "300");
    }

    /** subscribe() + group.id: needs the consumer-group protocol in the broker. */
    @Nested
    class ConsumerGroups {
        @ParameterizedTest(name = "{0} confluent-kafka")
        @MethodSource("io.strand.broker.it.PythonClientsIT#pythons")
        void confluentKafkaSubscribeWithGroupIdResumesFromCommittedOffset(String label, String python) {
            runScript(python, "confluent_kafka", "confluent_group.py", topic("ck-group-" + label), "200");
        }

        @ParameterizedTest(name = "{0} kafka-python")
        @MethodSource("io.strand.broker.it.PythonClientsIT#pythons")
        void kafkaPythonGroupIdResumesFromCommittedOffset(String label, String python) {
            runScript(python, "kafka", "kafka_python_group.py", topic("kp-group-" + label), "200");
        }

        /** The classroom flow: auto-commit every second; a second run of the same group reads nothing old, then only new messages. */
        @ParameterizedTest(name = "{0} kafka-python")
        @MethodSource("io.strand.broker.it.PythonClientsIT#pythons")
        void kafkaPythonAutoCommitRerunReadsOnlyNewMessages(String label, String python) {
            runScript(python, "kafka", "kafka_python_autocommit.py", topic("kp-autocommit-" + label), "50");
        }
    }

    static String topic(String prefix) {
        return prefix + "-" + TOPICS.incrementAndGet();
    }

    static void runScript(String python, String module, String script, String topic, String count) {
        String hint = python.equals(DEBIAN_PYTHON)
                ? "apt-get install python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard"
                : "pip install kafka-python confluent-kafka python-snappy lz4 zstandard (into the venv of " + python + ")";
        ExternalTool.requirePythonModules(python, hint, module);
        Path path = scriptsDir().resolve(script);
        assertThat(path).isRegularFile();
        ExternalTool.Result r = ExternalTool.run(
                List.of(python, "-B", path.toString(), broker.bootstrap(), topic, count),
                Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1",
                        // in CI every codec must be testable (.ci/run installs the codec modules)
                        "STRAND_REQUIRE_ALL_CODECS", ExternalTool.inCi() ? "1" : "0"),
                null, SCRIPT_TIMEOUT);
        System.out.println(r.output());
        assertThat(r.exitCode())
                .as("%s with %s failed against the broker at %s%n%s%n--- broker log (tail) ---%n%s",
                        script, python, broker.bootstrap(), r.output(), tail(broker.logs(), 60))
                .isZero();
        assertThat(r.stdout()).contains("OK");
    }

    static Path scriptsDir() {
        String configured = System.getProperty("strand.python.dir");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        Path relative = Path.of("src/test/python").toAbsolutePath();
        if (Files.isDirectory(relative)) {
            return relative;
        }
        // the module directory is the jar's target/'s parent
        return BrokerProcess.jar().getParent().getParent().resolve("src/test/python");
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
