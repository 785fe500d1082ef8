package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.config.TopicConfigs;
import io.strand.broker.server.log.TopicInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs on topics: SET, DELETE, APPEND and SUBTRACT (the last two for list configs), validated
 * as a whole before anything is stored. Broker configs are static (set at start) and refused with a message.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequestData, IncrementalAlterConfigsResponseData> {
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;

    private final BrokerContext broker;

    public IncrementalAlterConfigsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<IncrementalAlterConfigsResponseData> handle(RequestContext context, IncrementalAlterConfigsRequestData request) {
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result = new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(result);
            try {
                ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
                if (type != ConfigResource.Type.TOPIC) {
                    throw new InvalidRequestException("Only topic configs can be altered; broker configuration is static (--config, STRAND_* or --override at start).");
                }
                TopicInfo topic = broker.logs().topic(resource.resourceName());
                if (topic == null) {
                    throw new UnknownTopicOrPartitionException("Topic '" + resource.resourceName() + "' does not exist.");
                }
                Map<String, String> updated = apply(topic, resource.configs());
                Map<String, String> normalised;
                try {
                    normalised = TopicConfigs.validate(updated);
                } catch (ConfigException e) {
                    throw new InvalidConfigurationException(e.getMessage());
                }
                if (!request.validateOnly()) {
                    broker.logs().alterConfigs(topic.name(), normalised);
                }
                result.setErrorCode(Errors.NONE.code());
            } catch (Exception e) {
                Errors error = Failures.toError(e);
                result.setErrorCode(error.code()).setErrorMessage(Failures.message(e, error));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private Map<String, String> apply(TopicInfo topic, IncrementalAlterConfigsRequestData.AlterableConfigCollection changes) {
        Map<String, String> overrides = new LinkedHashMap<>(topic.configs());
        Map<String, String> effective = broker.logs().effectiveConfigs(topic);
        for (IncrementalAlterConfigsRequestData.AlterableConfig change : changes) {
            String name = change.name();
            if (!TopicConfigs.isKnown(name)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + name);
            }
            switch (change.configOperation()) {
                case SET -> overrides.put(name, change.value());
                case DELETE -> overrides.remove(name);
                case APPEND, SUBTRACT -> {
                    if (TopicConfigs.typeOf(name) != ConfigDef.Type.LIST) {
                        throw new InvalidConfigurationException("Config value append is not allowed for config key: " + name);
                    }
                    List<String> current = new ArrayList<>(split(overrides.getOrDefault(name, effective.get(name))));
                    for (String item : split(change.value())) {
                        if (change.configOperation() == APPEND && !current.contains(item)) {
                            current.add(item);
                        } else if (change.configOperation() == SUBTRACT) {
                            current.remove(item);
                        }
                    }
                    overrides.put(name, String.join(",", current));
                }
                default -> throw new InvalidRequestException("Unknown config operation " + change.configOperation());
            }
        }
        return overrides;
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
