package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.TopicConfigs;
import io.strand.broker.server.log.TopicInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/** DescribeConfigs for topics (overrides and broker defaults, with synonyms) and for this broker. */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequestData, DescribeConfigsResponseData> {
    private final BrokerContext broker;

    public DescribeConfigsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<DescribeConfigsResponseData> handle(RequestContext context, DescribeConfigsRequestData request) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            response.results().add(result);
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                TopicInfo topic = broker.logs().topic(resource.resourceName());
                if (topic == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Topic '" + resource.resourceName() + "' does not exist.");
                    continue;
                }
                describeTopic(topic, resource.configurationKeys(), request, result);
            } else if (type == ConfigResource.Type.BROKER) {
                String name = resource.resourceName();
                if (name != null && !name.isEmpty() && !name.equals(Integer.toString(broker.nodeId()))) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unexpected broker id, expected " + broker.nodeId() + " or empty string, but received " + name);
                    continue;
                }
                describeBroker(resource.configurationKeys(), request, result);
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unsupported resource type " + type);
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private void describeTopic(TopicInfo topic, List<String> keys, DescribeConfigsRequestData request, DescribeConfigsResponseData.DescribeConfigsResult result) {
        Map<String, String> effective = broker.logs().effectiveConfigs(topic);
        effective.forEach((name, value) -> {
            if (keys != null && !keys.contains(name)) {
                return;
            }
            boolean overridden = topic.configs().containsKey(name);
            String brokerKey = TopicConfigs.brokerKeyFor(name);
            boolean brokerSet = brokerKey != null && !broker.config().isDefault(brokerKey);
            ConfigSource source = overridden ? ConfigSource.TOPIC_CONFIG : brokerSet ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
            DescribeConfigsResponseData.DescribeConfigsResourceResult config = entry(name, value, source, TopicConfigs.typeOf(name), TopicConfigs.docOf(name), request);
            if (request.includeSynonyms()) {
                if (overridden) {
                    config.synonyms().add(synonym(name, value, ConfigSource.TOPIC_CONFIG));
                }
                if (brokerKey != null) {
                    config.synonyms().add(synonym(brokerKey, TopicConfigs.defaultValue(broker.config(), name),
                            brokerSet ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG));
                }
            }
            result.configs().add(config);
        });
    }

    private void describeBroker(List<String> keys, DescribeConfigsRequestData request, DescribeConfigsResponseData.DescribeConfigsResult result) {
        Map<String, ConfigDef.ConfigKey> definitions = BrokerConfig.definition().configKeys();
        broker.config().asStrings().forEach((name, value) -> {
            if (keys != null && !keys.contains(name)) {
                return;
            }
            ConfigSource source = broker.config().isDefault(name) ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
            ConfigDef.ConfigKey key = definitions.get(name);
            DescribeConfigsResponseData.DescribeConfigsResourceResult config = entry(name, value, source, key.type, key.documentation, request);
            config.setReadOnly(true);
            if (request.includeSynonyms()) {
                config.synonyms().add(synonym(name, value, source));
            }
            result.configs().add(config);
        });
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult entry(String name, String value, ConfigSource source, ConfigDef.Type type,
                                                                                   String doc, DescribeConfigsRequestData request) {
        DescribeConfigsResponseData.DescribeConfigsResourceResult config = new DescribeConfigsResponseData.DescribeConfigsResourceResult()
                .setName(name).setValue(value).setReadOnly(false).setConfigSource(source.id()).setIsSensitive(false)
                .setConfigType(configType(type).id());
        if (request.includeDocumentation()) {
            config.setDocumentation(doc);
        }
        return config;
    }

    private static DescribeConfigsResponseData.DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsResponseData.DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static ConfigType configType(ConfigDef.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
