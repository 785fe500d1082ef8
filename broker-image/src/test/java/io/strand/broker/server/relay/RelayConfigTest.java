package io.strand.broker.server.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.server.config.BrokerConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RelayConfigTest {
    @Test
    void offUnlessConfigured() {
        assertThat(BrokerConfig.defaults().relayListener()).isNull();
    }

    @Test
    void advertisedDefaultsToTheListenerWithLocalhostForAWildcard() {
        BrokerConfig config = BrokerConfig.from(Map.of("relay.listener", "PLAINTEXT://0.0.0.0:9094"));
        assertThat(config.relayListener()).isEqualTo(new BrokerConfig.Endpoint("0.0.0.0", 9094));
        assertThat(config.relayAdvertisedListener()).isEqualTo(new BrokerConfig.Endpoint("localhost", 9094));
        BrokerConfig forwarded = BrokerConfig.from(Map.of("relay.listener", "PLAINTEXT://0.0.0.0:9094",
                "relay.advertised.listener", "PLAINTEXT://localhost:9092"));
        assertThat(forwarded.relayAdvertisedListener()).isEqualTo(new BrokerConfig.Endpoint("localhost", 9092));
    }

    @Test
    void theRelayNodeIdMustNotBeThisBrokersId() {
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("node.id", "7", "relay.node.id", "7", "relay.listener", "PLAINTEXT://0.0.0.0:9094")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.node.id");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("relay.listener", "SSL://0.0.0.0:9094"))).isInstanceOf(ConfigException.class);
    }
}
