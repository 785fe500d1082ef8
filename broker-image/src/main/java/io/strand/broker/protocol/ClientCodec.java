package io.strand.broker.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The client side of the wire format, for broker-to-broker requests (replica fetches, relayed requests): frames a request with its
 * header and size prefix, and parses a response frame. Stateless and thread-safe.
 */
public final class ClientCodec {
    private ClientCodec() {
    }

    /** {@code size | request header | body}, ready to write to a socket. */
    public static ByteBuffer encodeRequest(ApiKeys key, short version, int correlationId, String clientId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buf);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buf.flip();
        return buf;
    }

    /** A parsed response and the correlation id of its header. */
    public record Response<T extends ApiMessage>(int correlationId, T body) {
    }

    /** Parses a response frame (the 4-byte size already stripped). Records stay views into {@code frame}. */
    public static Response<FetchResponseData> decodeFetchResponse(ByteBuffer frame, short version) {
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        ResponseHeaderData header = new ResponseHeaderData(accessor, ApiKeys.FETCH.responseHeaderVersion(version));
        FetchResponseData body = new FetchResponseData(accessor, version);
        return new Response<>(header.correlationId(), body);
    }

    /** Parses any response frame (the 4-byte size already stripped). Records stay views into {@code frame}. */
    public static Response<ApiMessage> decodeResponse(ApiKeys key, short version, ByteBuffer frame) {
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        ResponseHeaderData header = new ResponseHeaderData(accessor, key.responseHeaderVersion(version));
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newResponse();
        body.read(accessor, version);
        return new Response<>(header.correlationId(), body);
    }

    /** Bytes of record batches in a fetched partition, whether in memory or a slice of a segment file. */
    public static int recordBytes(FetchResponseData.PartitionData partition) {
        BaseRecords records = partition.records();
        return records == null ? 0 : records.sizeInBytes();
    }

    /** The record batches of a fetched partition as bytes (empty when none). */
    public static ByteBuffer recordsOf(FetchResponseData.PartitionData partition) {
        BaseRecords records = partition.records();
        if (records instanceof MemoryRecords memory) {
            return memory.buffer().duplicate();
        }
        return ByteBuffer.allocate(0);
    }
}
