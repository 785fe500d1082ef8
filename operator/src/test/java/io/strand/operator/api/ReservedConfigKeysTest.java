package io.strand.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.generator.annotation.ValidationRule;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The CEL rule on spec.config and the model's list of reserved keys are two copies of one list; keep them equal. */
class ReservedConfigKeysTest {

    @Test
    void theSchemaRuleRefusesEveryKeyTheModelOverrides() throws NoSuchFieldException {
        ValidationRule rule = KafkaClusterSpec.class.getDeclaredField("config").getAnnotation(ValidationRule.class);
        String quotedList = rule.value().substring(rule.value().indexOf('['), rule.value().indexOf(']') + 1);
        String expected = KafkaClusterSpec.RESERVED_CONFIG_KEYS.stream().map(k -> "'" + k + "'")
                .collect(Collectors.joining(", ", "[", "]"));
        assertThat(quotedList.replaceAll("\\s+", " ")).isEqualTo(expected);
        KafkaClusterSpec.RESERVED_CONFIG_KEYS.forEach(key -> assertThat(rule.message()).contains(key));
    }
}
