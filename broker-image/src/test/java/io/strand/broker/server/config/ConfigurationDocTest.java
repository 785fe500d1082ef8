package io.strand.broker.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the config definitions; this fails when they drift apart.
 * Regenerate with {@code mvn test -Dtest=ConfigurationDocTest -Dupdate.docs=true}.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void docMatchesDefinitions() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("update.docs")) {
            Files.writeString(DOC, expected);
        }
        assertThat(Files.exists(DOC)).as(DOC.toAbsolutePath() + " exists; regenerate with -Dupdate.docs=true").isTrue();
        assertThat(Files.readString(DOC)).as("docs/configuration.md is stale; regenerate with -Dupdate.docs=true").isEqualTo(expected);
    }

    static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration\n\n")
                .append("Generated from the broker's config definitions by `ConfigurationDocTest`; do not edit by hand.\n\n")
                .append("Precedence, lowest first: defaults, `--config FILE`, `STRAND_*` environment variables ")
                .append("(`STRAND_LOG_DIRS` for `log.dirs`), `--override key=value`.\n\n")
                .append("## Broker\n\n| key | type | default | description |\n|---|---|---|---|\n");
        BrokerConfig.definition().configKeys().forEach((name, key) -> out.append("| `").append(name).append("` | ")
                .append(key.type.name().toLowerCase()).append(" | ")
                .append(key.hasDefault() && key.defaultValue != null ? "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`" : "")
                .append(" | ").append(key.documentation.replace("|", "\\|")).append(" |\n"));
        out.append("\n## Topic\n\nSet per topic with the Admin API; unset keys take the broker default named here.\n\n")
                .append("| key | type | broker default from | description |\n|---|---|---|---|\n");
        for (String name : TopicConfigs.names()) {
            String brokerKey = TopicConfigs.brokerKeyFor(name);
            String doc = TopicConfigs.docOf(name).replace("|", "\\|").replace("\n", " ");
            out.append("| `").append(name).append("` | ").append(TopicConfigs.typeOf(name).name().toLowerCase()).append(" | ")
                    .append(brokerKey == null ? "fixed: `" + TopicConfigs.defaultValue(BrokerConfig.defaults(), name) + "`" : "`" + brokerKey + "`")
                    .append(" | ").append(doc).append(" |\n");
        }
        return out.toString();
    }
}
