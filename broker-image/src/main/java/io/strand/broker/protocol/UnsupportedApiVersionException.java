package io.strand.broker.protocol;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A well-formed header naming a version we do not implement. For ApiVersions the broker answers with
 * UNSUPPORTED_VERSION and its ranges (clients then retry at a version we do implement); for every other API the
 * connection is closed, as Apache Kafka does.
 */
public class UnsupportedApiVersionException extends MalformedRequestException {
    private final ApiKeys apiKey;
    private final short version;
    private final int correlationId;

    public UnsupportedApiVersionException(ApiKeys apiKey, short version, int correlationId) {
        super("unsupported version " + version + " of " + apiKey);
        this.apiKey = apiKey;
        this.version = version;
        this.correlationId = correlationId;
    }

    public ApiKeys apiKey() {
        return apiKey;
    }

    public short version() {
        return version;
    }

    public int correlationId() {
        return correlationId;
    }

    static RequestHeaderData headerOf(ApiKeys key, short version, int correlationId) {
        return new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version).setCorrelationId(correlationId);
    }
}
