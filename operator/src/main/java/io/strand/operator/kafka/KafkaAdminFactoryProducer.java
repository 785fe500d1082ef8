package io.strand.operator.kafka;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import jakarta.inject.Singleton;

/**
 * Makes the {@link KafkaAdminFactory} injectable into reconcilers. A default bean, so a deployment (or a Quarkus
 * test) can provide another factory without touching this one.
 */
@Singleton
public class KafkaAdminFactoryProducer {

    /** Long enough to span the topic controller's periodic pass (2 minutes), so an idle cluster keeps one client. */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);

    @Produces
    @Singleton
    @DefaultBean
    KafkaAdminFactory kafkaAdminFactory() {
        return new SharedAdminFactory(new BootstrapAdminFactory(), IDLE_TIMEOUT);
    }

    void close(@Disposes KafkaAdminFactory factory) {
        if (factory instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // the operator is stopping; nothing left to tell
            }
        }
    }
}
