package io.strand.broker.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Builds the error response kafka-clients defines for any request ({@code AbstractRequest#getErrorResponse}), so a
 * handler that fails unexpectedly still answers with the right shape and error code for every API and version.
 */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    public static ApiMessage forRequest(KafkaRequest request, Throwable error) {
        ByteBuffer serialized = MessageUtil.toByteBufferAccessor(request.body(), request.version()).buffer();
        AbstractRequest parsed = AbstractRequest.parseRequest(request.apiKey(), request.version(), new ByteBufferAccessor(serialized)).request;
        return parsed.getErrorResponse(0, error).data();
    }

    public static boolean hasResponse(KafkaRequest request) {
        // acks=0 produce requests are the only requests Kafka never answers
        return !(request.apiKey() == ApiKeys.PRODUCE
                && ((org.apache.kafka.common.message.ProduceRequestData) request.body()).acks() == 0);
    }
}
