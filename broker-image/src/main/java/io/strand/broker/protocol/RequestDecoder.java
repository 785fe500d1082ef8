package io.strand.broker.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.function.Predicate;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * Turns one length-delimited frame (the 4-byte size already stripped) into a {@link KafkaRequest} using
 * kafka-clients' generated message classes. Stateless and thread-safe.
 */
public final class RequestDecoder {
    /** Which (key, version) pairs this broker implements; anything else is refused before the body is parsed. */
    public interface SupportedVersions {
        boolean supports(ApiKeys key, short version);
    }

    private final SupportedVersions supported;

    public RequestDecoder(SupportedVersions supported) {
        this.supported = supported;
    }

    /**
     * Decodes the frame. The returned request may reference the frame's memory (record batches are views), so the
     * caller keeps the frame alive until the request has been handled.
     *
     * @throws MalformedRequestException for anything that is not a request we implement
     */
    public KafkaRequest decode(ByteBuf frame) {
        if (frame.readableBytes() < 8) {
            throw new MalformedRequestException("frame of " + frame.readableBytes() + " bytes is shorter than a request header");
        }
        int start = frame.readerIndex();
        short keyId = frame.getShort(start);
        short version = frame.getShort(start + 2);
        int correlationId = frame.getInt(start + 4);
        if (!ApiKeys.hasId(keyId)) {
            throw new MalformedRequestException("unknown API key " + keyId);
        }
        ApiKeys key = ApiKeys.forId(keyId);
        if (!supported.supports(key, version)) {
            throw new UnsupportedApiVersionException(key, version, correlationId);
        }
        ByteBuffer nio = frame.nioBufferCount() == 1 ? frame.nioBuffer() : copy(frame);
        ByteBufferAccessor accessor = new ByteBufferAccessor(nio);
        try {
            RequestHeaderData header = new RequestHeaderData(accessor, key.requestHeaderVersion(version));
            ApiMessage body = ApiMessageType.fromApiKey(keyId).newRequest();
            body.read(accessor, version);
            return new KafkaRequest(header, key, version, body);
        } catch (RuntimeException e) {
            throw new MalformedRequestException("cannot parse " + key + " v" + version + ": " + e, e);
        }
    }

    private static ByteBuffer copy(ByteBuf frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.readableBytes());
        frame.getBytes(frame.readerIndex(), copy);
        copy.flip();
        return copy;
    }

    /** Convenience for tests and tools: supports whatever the predicate accepts. */
    public static RequestDecoder accepting(Predicate<ApiKeys> keys) {
        return new RequestDecoder((k, v) -> keys.test(k) && k.isVersionSupported(v));
    }
}
