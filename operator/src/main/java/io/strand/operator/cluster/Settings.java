package io.strand.operator.cluster;

import io.strand.operator.model.OperatorSettings;
import org.eclipse.microprofile.config.ConfigProvider;

/** {@link OperatorSettings} from the operator's configuration (application.properties, or environment variables). */
final class Settings {

    static final String BROKER_IMAGE = "strand.operator.broker-image";

    private Settings() {
    }

    static OperatorSettings current() {
        return new OperatorSettings(ConfigProvider.getConfig().getOptionalValue(BROKER_IMAGE, String.class)
                .orElse(OperatorSettings.DEFAULT_BROKER_IMAGE));
    }
}
