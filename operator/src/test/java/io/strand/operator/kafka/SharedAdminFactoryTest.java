package io.strand.operator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Listener;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class SharedAdminFactoryTest {

    /** An Admin that only records whether it was closed and answers toString with its name. */
    record FakeAdmin(String name, AtomicBoolean closed, Admin proxy) {
        static FakeAdmin create(String name) {
            AtomicBoolean closed = new AtomicBoolean();
            Admin proxy = (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, (p, method, args) -> {
                switch (method.getName()) {
                    case "close" -> closed.set(true);
                    case "toString" -> {
                        return name;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                }
                return null;
            });
            return new FakeAdmin(name, closed, proxy);
        }
    }

    private final List<FakeAdmin> created = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private final SharedAdminFactory factory = new SharedAdminFactory(cluster -> {
        FakeAdmin admin = FakeAdmin.create(cluster.getMetadata().getName() + "#" + created.size());
        created.add(admin);
        return admin.proxy();
    }, Duration.ofMinutes(5), clock);

    @Test
    void everyReconcileOfAClusterSharesOneClientWhoseCloseIsIgnored() {
        Admin first = factory.create(cluster("events", "uid-1", 9092));
        first.close();
        first.close(Duration.ofSeconds(1));
        Admin second = factory.create(cluster("events", "uid-1", 9092));
        assertThat(created).hasSize(1);
        assertThat(created.get(0).closed()).isFalse();
        assertThat(second.toString()).isEqualTo("events#0");

        factory.create(cluster("other", "uid-2", 9092));
        assertThat(created).hasSize(2);
        assertThat(factory.size()).isEqualTo(2);
    }

    @Test
    void aClientIdleLongerThanTheTimeoutIsClosedAndReplaced() {
        factory.create(cluster("events", "uid-1", 9092));
        clock.advance(Duration.ofMinutes(4));
        factory.create(cluster("events", "uid-1", 9092));
        clock.advance(Duration.ofMinutes(4));
        factory.create(cluster("other", "uid-2", 9092));
        assertThat(created.get(0).closed()).as("used 4 minutes ago: kept").isFalse();

        clock.advance(Duration.ofMinutes(6));
        factory.create(cluster("other", "uid-2", 9092));
        assertThat(created.get(0).closed()).as("idle 10 minutes: closed").isTrue();
        assertThat(factory.size()).isEqualTo(1);
    }

    @Test
    void aReCreatedClusterOrAnotherListenerPortGetsANewClientAndTheOldOneIsClosed() {
        factory.create(cluster("events", "uid-1", 9092));
        factory.create(cluster("events", "uid-2", 9092));
        assertThat(created.get(0).closed()).isTrue();
        factory.create(cluster("events", "uid-2", 19092));
        assertThat(created.get(1).closed()).isTrue();
        assertThat(created).hasSize(3);
        assertThat(factory.size()).isEqualTo(1);
    }

    @Test
    void closingTheFactoryClosesEveryClient() {
        factory.create(cluster("a", "uid-a", 9092));
        factory.create(cluster("b", "uid-b", 9092));
        factory.close();
        assertThat(created).allSatisfy(admin -> assertThat(admin.closed()).isTrue());
        assertThat(factory.size()).isZero();
    }

    private static KafkaCluster cluster(String name, String uid, int port) {
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("kafka").withUid(uid).build());
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setListeners(List.of(new Listener("plain", port)));
        cluster.setSpec(spec);
        return cluster;
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-23T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
