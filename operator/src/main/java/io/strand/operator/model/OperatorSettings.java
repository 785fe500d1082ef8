package io.strand.operator.model;

import java.util.Objects;

/**
 * Operator-wide settings the model needs, passed in rather than read from configuration so the model stays pure.
 *
 * @param brokerImage image of KafkaClusters that leave {@code spec.image} unset
 */
public record OperatorSettings(String brokerImage) {

    public static final String DEFAULT_BROKER_IMAGE = "strand/broker:0.1.0";

    public OperatorSettings {
        Objects.requireNonNull(brokerImage, "brokerImage");
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(DEFAULT_BROKER_IMAGE);
    }
}
