package io.strand.broker.server.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrokerMetricsTest {
    @Test
    void countsClientAndReplicationTrafficApartAndForgetsDeletedTopics() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BrokerMetrics metrics = new BrokerMetrics(registry);
        metrics.produced("a", 100, 4);
        metrics.fetched("a", 100, 4);
        metrics.fetched("a", 50, 2);
        metrics.replicated("a", 100);
        metrics.produced("b", 10, 1);

        assertThat(registry.get("strand.topic.messages.in").tag("topic", "a").counter().count()).isEqualTo(4);
        assertThat(registry.get("strand.topic.bytes.out").tag("topic", "a").counter().count()).isEqualTo(150);
        assertThat(registry.get("strand.topic.messages.out").tag("topic", "a").counter().count()).isEqualTo(6);
        assertThat(registry.get("strand.topic.replication.bytes.out").tag("topic", "a").counter().count()).isEqualTo(100);

        metrics.retainTopics(Set.of("b")::contains);
        assertThat(registry.find("strand.topic.bytes.in").tag("topic", "a").counters()).isEmpty();
        assertThat(registry.find("strand.topic.messages.out").tag("topic", "a").counters()).isEmpty();
        assertThat(registry.get("strand.topic.bytes.in").tag("topic", "b").counter().count()).isEqualTo(10);
        assertThat(registry.getMeters()).hasSize(6);

        metrics.produced("a", 7, 1); // a topic created again under the same name starts from zero
        assertThat(registry.get("strand.topic.bytes.in").tag("topic", "a").counter().count()).isEqualTo(7);
    }
}
