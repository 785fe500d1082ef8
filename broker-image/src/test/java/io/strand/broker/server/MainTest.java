package io.strand.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.ConfigSources;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @Test
    void parsesOptionsInBothSpellings() {
        Main.Arguments args = Main.Arguments.parse(new String[] {"-c", "a.properties", "-o", "node.id=2", "--override=log.dirs=/d", "--print-config"});
        assertThat(args.configFile()).isEqualTo(Path.of("a.properties"));
        assertThat(args.overrides()).containsExactly("node.id=2", "log.dirs=/d");
        assertThat(args.printConfig()).isTrue();
        assertThatThrownBy(() -> Main.Arguments.parse(new String[] {"--nope"})).hasMessageContaining("--nope");
        assertThatThrownBy(() -> Main.Arguments.parse(new String[] {"--override"})).hasMessageContaining("needs a value");
    }

    @Test
    void laterSourcesWin(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("broker.properties"), "node.id=1\nnum.partitions=3\nlog.retention.hours=1\n");
        Map<String, String> merged = ConfigSources.merge(file, Map.of("STRAND_NODE_ID", "2", "STRAND_LOG_DIRS", "/env", "HOME", "/root"),
                List.of("log.dirs=/flag"));
        BrokerConfig config = BrokerConfig.from(merged);
        assertThat(config.nodeId()).isEqualTo(2);
        assertThat(config.numPartitions()).isEqualTo(3);
        assertThat(config.logDir()).isEqualTo(Path.of("/flag"));
        assertThat(config.get(BrokerConfig.LOG_RETENTION_MS)).isEqualTo(3_600_000L);
        assertThat(merged).doesNotContainKey("home");
    }

    @Test
    void advertisedListenerDefaultsToLocalhostForAWildcardBind() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.listener()).isEqualTo(new BrokerConfig.Endpoint("0.0.0.0", 9092));
        assertThat(config.advertisedListener()).isEqualTo(new BrokerConfig.Endpoint("localhost", 9092));
        BrokerConfig tunnelled = BrokerConfig.from(Map.of("advertised.listeners", "PLAINTEXT://localhost:19092"));
        assertThat(tunnelled.advertisedListener().port()).isEqualTo(19092);
    }

    @Test
    void invalidConfigurationExitsWithAMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-o", "listeners=SSL://x:1"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("only PLAINTEXT listeners are supported");
    }
}
