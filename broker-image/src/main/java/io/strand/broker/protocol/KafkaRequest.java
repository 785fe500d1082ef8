package io.strand.broker.protocol;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One decoded request. {@code body} may hold views (record batches) into the network buffer that carried it:
 * those are valid only until the request's response stage completes, after which the frame is released.
 */
public record KafkaRequest(RequestHeaderData header, ApiKeys apiKey, short version, ApiMessage body) {
    public int correlationId() {
        return header.correlationId();
    }

    public String clientId() {
        return header.clientId();
    }
}
