package io.strand.broker.server.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ApiVersionsGoldenTest {
    private final ApiHandlers handlers = ApiHandlers.standard(null, null);

    @Test
    void advertisedRangesMatchTheGoldenFile() throws IOException {
        ApiVersionsResponseData response = ApiVersionsHandler.response(handlers, Errors.NONE);
        List<String> advertised = response.apiKeys().stream()
                .map(v -> ApiKeys.forId(v.apiKey()) + " " + v.minVersion() + "-" + v.maxVersion())
                .collect(Collectors.toList());
        assertThat(advertised).containsExactlyElementsOf(golden());
    }

    @Test
    void everyAdvertisedVersionExistsInThePinnedKafkaClients() {
        handlers.all().values().forEach(h -> {
            assertThat(h.minVersion()).as(h.apiKey() + " min").isGreaterThanOrEqualTo(h.apiKey().oldestVersion());
            assertThat(h.maxVersion()).as(h.apiKey() + " max").isLessThanOrEqualTo(h.apiKey().latestVersion(false));
        });
    }

    @Test
    void decoderRefusesVersionsOutsideTheRanges() {
        assertThat(handlers.supports(ApiKeys.PRODUCE, (short) 2)).isFalse();
        assertThat(handlers.supports(ApiKeys.PRODUCE, (short) 3)).isTrue();
        assertThat(handlers.supports(ApiKeys.JOIN_GROUP, (short) 0)).isFalse();
    }

    private static List<String> golden() throws IOException {
        try (InputStream in = ApiVersionsGoldenTest.class.getResourceAsStream("/api-versions.golden")) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
