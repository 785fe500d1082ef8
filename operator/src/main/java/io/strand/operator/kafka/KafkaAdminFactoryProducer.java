package io.strand.operator.kafka;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes the {@link KafkaAdminFactory} injectable into reconcilers. A default bean, so a deployment (or a Quarkus
 * test) can provide another factory without touching this one.
 */
@Singleton
public class KafkaAdminFactoryProducer {

    @Produces
    @Singleton
    @DefaultBean
    KafkaAdminFactory kafkaAdminFactory() {
        return new BootstrapAdminFactory();
    }
}
