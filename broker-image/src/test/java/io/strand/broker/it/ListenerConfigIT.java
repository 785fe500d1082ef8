package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Advertising an address other than the listener's (SSH tunnels, port-forwards) and turning auto-creation off. */
class ListenerConfigIT {
    @Test
    void clientsWorkThroughATunnelToTheAdvertisedAddress(@TempDir Path dir) throws Exception {
        // The tunnel's port is chosen first so the broker can advertise it; the tunnel then forwards it to the listener.
        int tunnelPort = BrokerProcess.freePort();
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), Map.of("advertised.listeners", "PLAINTEXT://localhost:" + tunnelPort));
             TcpRelay tunnel = new TcpRelay(tunnelPort, broker.port())) {
            String viaTunnel = "localhost:" + tunnelPort;
            try (Admin admin = Clients.admin(viaTunnel)) {
                Node node = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).iterator().next();
                assertThat(node.host()).isEqualTo("localhost");
                assertThat(node.port()).isEqualTo(tunnelPort);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(viaTunnel, Map.of(ProducerConfig.ACKS_CONFIG, "all"));
                 KafkaConsumer<String, String> consumer = Clients.consumer(viaTunnel, Map.of())) {
                producer.send(new ProducerRecord<>("tunnelled", 0, "alice", "hello")).get(10, TimeUnit.SECONDS);
                assertThat(Clients.readAll(consumer, new TopicPartition("tunnelled", 0), 1, Duration.ofSeconds(15)))
                        .extracting(r -> r.key() + "=" + r.value()).containsExactly("alice=hello");
            }
        }
    }

    @Test
    void autoCreationCanBeTurnedOff(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), Map.of("auto.create.topics.enable", "false"));
             KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000));
             Admin admin = Clients.admin(broker.bootstrap())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("not-there", "v")).get(10, TimeUnit.SECONDS))
                    .isInstanceOfAny(ExecutionException.class, org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("not-there");
        }
    }
}
