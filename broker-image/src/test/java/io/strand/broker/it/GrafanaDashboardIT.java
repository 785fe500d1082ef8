package io.strand.broker.it;

import static io.strand.broker.it.ClusterProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Checks manifests/grafana/strand-broker-dashboard.json against a real broker: every metric name in every panel
 * query (and in every variable's label_values query) must be in the broker's /metrics scrape, after the test made
 * the broker export its per-topic, per-API, group-lag and GC series. Renaming a metric in the broker without
 * updating the dashboard fails here. Also checks the dashboard's shape: a uid, unique panel ids, and every panel
 * and query on the {@code ${datasource}} variable.
 */
class GrafanaDashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "dashboarded";
    private static final String GROUP = "dashboard-readers";
    private static final String DATASOURCE = "${datasource}";

    /** PromQL keywords, aggregation operators and functions: never metric names, even when not followed by "(". */
    private static final Set<String> PROMQL_WORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
            "atan2", "inf", "nan", "start", "end",
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio",
            "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month",
            "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor", "histogram_avg",
            "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar",
            "histogram_sum", "holt_winters", "double_exponential_smoothing", "hour", "idelta", "increase", "irate",
            "label_join", "label_replace", "ln", "log2", "log10", "minute", "month", "predict_linear", "rate",
            "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "sqrt",
            "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
            "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
            "present_over_time", "mad_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh",
            "sin", "sinh", "tan", "tanh", "deg", "rad", "pi", "label_values", "label_names", "metrics",
            "query_result");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier not glued to a number (1e3, 5m) or another name, and not a function call. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\\s*\\()(?![\\w:])");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{.*})? \\S+(?: \\S+)?$");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    BrokerProcess broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.kill();
        }
    }

    @Test
    void extractsMetricNamesFromPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (api, le) (rate(strand_requests_seconds_bucket{job=~\"$cluster\", le!=\"0.5\"}[$__rate_interval])))"))
                .containsExactly("strand_requests_seconds_bucket");
        assertThat(metricNames("sum(rate(a_total[5m])) by (topic) / on (topic) group_left(x) max without (le) (b_bytes offset 1h) > bool 1e3"))
                .containsExactlyInAnyOrder("a_total", "b_bytes");
        assertThat(metricNames("topk(20, max by (group, topic) (strand_group_lag{topic=~\"${topic}\"}))"))
                .containsExactly("strand_group_lag");
        assertThat(metricNames("process_files_open_files / process_files_max_files")).containsExactlyInAnyOrder(
                "process_files_open_files", "process_files_max_files");
        assertThat(metricNames("max_over_time(up[1h:5m]) + vector(0) * 0.5")).containsExactly("up");
    }

    @Test
    void dashboardIsImportableAndOnTheDatasourceVariable() throws IOException {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.path("uid").asText()).isEqualTo("strand-broker");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);

        JsonNode variables = dashboard.path("templating").path("list");
        List<JsonNode> datasourceVariables = new ArrayList<>();
        variables.forEach(v -> {
            if (v.path("name").asText().equals("datasource")) {
                datasourceVariables.add(v);
            }
        });
        assertThat(datasourceVariables).singleElement().satisfies(v -> {
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        variables.forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                assertThat(v.path("datasource").path("uid").asText()).as("datasource of variable %s", v.path("name")).isEqualTo(DATASOURCE);
            }
        });

        List<JsonNode> panels = panels(dashboard);
        assertThat(panels).hasSizeGreaterThan(10);
        List<Integer> ids = new ArrayList<>();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(panel.path("id").isInt()).as("panel %s has an integer id", title).isTrue();
            ids.add(panel.path("id").asInt());
            assertThat(panel.path("datasource").path("uid").asText()).as("datasource of panel %s", title).isEqualTo(DATASOURCE);
            assertThat(panel.path("gridPos").path("w").asInt()).as("width of panel %s", title).isBetween(1, 24);
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("targets")).as("queries of panel %s", title).isNotEmpty();
            }
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("a query of panel %s", title).isNotBlank();
                if (target.has("datasource")) {
                    assertThat(target.path("datasource").path("uid").asText()).as("datasource of a query of panel %s", title).isEqualTo(DATASOURCE);
                }
            }
        }
        assertThat(ids).as("panel ids").doesNotHaveDuplicates();
    }

    @Test
    void everyMetricTheDashboardQueriesIsExportedByARealBroker() throws Exception {
        Set<String> wanted = dashboardMetricNames(dashboard());
        // a guard against an extractor that silently finds nothing
        assertThat(wanted).contains("strand_requests_seconds_bucket", "strand_topic_bytes_in_total", "strand_group_lag",
                "strand_controller_active").hasSizeGreaterThan(20);

        int metricsPort = BrokerProcess.freePort();
        broker = BrokerProcess.start(dir.resolve("broker"), Map.of(
                "metrics.port", Integer.toString(metricsPort),
                "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "1"));

        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "key-" + i, "value-" + i)).get(20, TimeUnit.SECONDS);
            }
        }
        // the group reads everything and commits less than it read, so it has lag on partition 0
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP))) {
            consumer.assign(List.of(p0, p1));
            int read = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read < 20 && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).as("records read back").isEqualTo(20);
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(5), p1, new OffsetAndMetadata(10)), Duration.ofSeconds(15));
        }
        // jvm_gc_pause_seconds only exists once the broker's JVM has paused for a GC
        forceGc(broker);

        String[] scrape = {""};
        try {
            await(WAIT, "every metric of the dashboard in the broker's scrape", () -> {
                scrape[0] = scrape(metricsPort);
                return exportedNames(scrape[0]).containsAll(wanted);
            });
        } catch (AssertionError timedOut) {
            // fall through to the assertion below, whose message lists the missing names
        }
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(exportedNames(scrape[0]));
        assertThat(missing).as("metrics the dashboard queries but the broker does not export (exported: %s)",
                new TreeSet<>(exportedNames(scrape[0]))).isEmpty();
        // the per-topic and per-group series the panels break down by really carry those labels
        assertThat(scrape[0]).contains("strand_topic_bytes_in_total{", "topic=\"" + TOPIC + "\"")
                .contains("strand_group_lag{").contains("group=\"" + GROUP + "\"")
                .containsPattern("strand_requests_seconds_bucket\\{api=\"Produce\"[^}]*le=\"");
    }

    // ---------------------------------------------------------------------------------------------------------

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(dashboardFile().toFile());
    }

    /** manifests/grafana/strand-broker-dashboard.json, found from the module directory or the repository root. */
    static Path dashboardFile() {
        String configured = System.getProperty("strand.grafana.dashboard");
        if (configured != null) {
            return Path.of(configured);
        }
        Path relative = Path.of("manifests", "grafana", "strand-broker-dashboard.json");
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    /** Every panel, including panels nested in collapsed rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        collect(dashboard.path("panels"), all);
        return all;
    }

    private static void collect(JsonNode panels, List<JsonNode> into) {
        for (JsonNode panel : panels) {
            into.add(panel);
            collect(panel.path("panels"), into);
        }
    }

    /** Metric names in every panel query and every label_values variable query. */
    static Set<String> dashboardMetricNames(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNames(target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                Matcher m = LABEL_VALUES.matcher(query.isObject() ? query.path("query").asText() : query.asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The metric names a PromQL expression selects: string literals, matchers, ranges, groupings, functions and keywords stripped. */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = GRAFANA_VARIABLE.matcher(s).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll("{}");
        s = RANGE.matcher(s).replaceAll("[]");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Names of the samples in a Prometheus text exposition (so a histogram contributes _bucket, _count and _sum). */
    static Set<String> exportedNames(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private String scrape(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asks the broker's JVM for a full GC (jcmd GC.run), so that the GC pause timer has a series. */
    private static void forceGc(BrokerProcess broker) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertThat(jcmd).as("jcmd of the JDK running the tests (and the broker)").isExecutable();
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(broker.pid()), "GC.run").redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jcmd GC.run did not finish within 30 s");
        }
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("jcmd GC.run: %s", output).isZero();
    }
}
