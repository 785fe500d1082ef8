package io.strand.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** A response body with what is needed to frame it: the request's correlation id, API key and version. */
public record KafkaResponse(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
}
