package io.strand.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every version of every API key that kafka-clients knows: frames decode to what was encoded, and responses parse back. */
class CodecRoundTripTest {
    static Stream<Arguments> everyKeyAndVersion() {
        return Stream.of(ApiKeys.values())
                .filter(k -> k.latestVersion(true) >= k.oldestVersion())
                .flatMap(k -> java.util.stream.IntStream.rangeClosed(k.oldestVersion(), k.latestVersion(true))
                        .mapToObj(v -> Arguments.of(k, (short) v)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyKeyAndVersion")
    void requestsDecodeToWhatWasEncoded(ApiKeys key, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newRequest();
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(42).setClientId("test-client");
        ByteBuf frame = frame(header, key.requestHeaderVersion(version), body, version);
        try {
            KafkaRequest decoded = RequestDecoder.accepting(k -> true).decode(frame);
            assertThat(decoded.apiKey()).isEqualTo(key);
            assertThat(decoded.version()).isEqualTo(version);
            assertThat(decoded.correlationId()).isEqualTo(42);
            assertThat(decoded.body()).isEqualTo(body);
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyKeyAndVersion")
    void responsesParseBack(ApiKeys key, short version) throws IOException {
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newResponse();
        List<Object> parts = ResponseEncoder.encode(ByteBufAllocator.DEFAULT, new KafkaResponse(7, key, version, body));
        ByteBuffer bytes = ByteBuffer.wrap(concat(parts));
        assertThat(bytes.getInt()).isEqualTo(bytes.remaining());
        ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
        short headerVersion = key == ApiKeys.API_VERSIONS ? 0 : key.responseHeaderVersion(version);
        assertThat(new ResponseHeaderData(accessor, headerVersion).correlationId()).isEqualTo(7);
        ApiMessage parsed = ApiMessageType.fromApiKey(key.id).newResponse();
        parsed.read(accessor, version);
        assertThat(parsed).isEqualTo(body);
        assertThat(bytes.remaining()).isZero();
    }

    @Test
    void fetchedRecordsGoFromTheFileAsARegion(@TempDir Path dir) throws IOException {
        byte[] segmentBytes = new byte[1000];
        for (int i = 0; i < segmentBytes.length; i++) {
            segmentBytes[i] = (byte) i;
        }
        Path segment = Files.write(dir.resolve("segment.log"), segmentBytes);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            FetchResponseData response = new FetchResponseData();
            FetchResponseData.PartitionData partition = new FetchResponseData.PartitionData().setPartitionIndex(3).setHighWatermark(10);
            RecordSets.setRecords(partition, channel, 100, 200);
            response.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("t").setPartitions(List.of(partition)));
            short version = 12;
            List<Object> parts = ResponseEncoder.encode(ByteBufAllocator.DEFAULT, new KafkaResponse(1, ApiKeys.FETCH, version, response));
            assertThat(parts).hasSize(3);
            assertThat(parts.get(1)).isInstanceOf(FileRegion.class);

            ByteBuffer bytes = ByteBuffer.wrap(concat(parts));
            bytes.getInt();
            ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
            new ResponseHeaderData(accessor, ApiKeys.FETCH.responseHeaderVersion(version));
            FetchResponseData parsed = new FetchResponseData(accessor, version);
            MemoryRecords records = (MemoryRecords) parsed.responses().get(0).partitions().get(0).records();
            byte[] sent = new byte[records.sizeInBytes()];
            records.buffer().get(sent);
            byte[] expected = new byte[200];
            System.arraycopy(segmentBytes, 100, expected, 0, 200);
            assertThat(sent).isEqualTo(expected);
        }
    }

    @Test
    void unknownApiKeysAndShortFramesAreMalformed() {
        ByteBuf unknownKey = Unpooled.buffer().writeShort(9999).writeShort(0).writeInt(1).writeShort(-1);
        assertThatThrownBy(() -> RequestDecoder.accepting(k -> true).decode(unknownKey)).isInstanceOf(MalformedRequestException.class);
        ByteBuf tooShort = Unpooled.buffer().writeShort(3);
        assertThatThrownBy(() -> RequestDecoder.accepting(k -> true).decode(tooShort)).isInstanceOf(MalformedRequestException.class);
        MetadataRequestData metadata = new MetadataRequestData();
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id).setRequestApiVersion((short) 12).setCorrelationId(1);
        ByteBuf truncated = frame(header, ApiKeys.METADATA.requestHeaderVersion((short) 12), metadata, (short) 12);
        ByteBuf cut = truncated.slice(0, truncated.readableBytes() - 1);
        assertThatThrownBy(() -> RequestDecoder.accepting(k -> true).decode(cut)).isInstanceOf(MalformedRequestException.class);
        truncated.release();
        assertThatThrownBy(() -> RequestDecoder.accepting(k -> k != ApiKeys.METADATA).decode(frame(header, (short) 2, metadata, (short) 12)))
                .isInstanceOf(UnsupportedApiVersionException.class);
    }

    private static ByteBuf frame(RequestHeaderData header, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buffer.flip();
        return Unpooled.wrappedBuffer(buffer);
    }

    private static byte[] concat(List<Object> parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel channel = Channels.newChannel(out);
        for (Object part : parts) {
            if (part instanceof ByteBuf buf) {
                byte[] b = new byte[buf.readableBytes()];
                buf.readBytes(b);
                out.write(b);
                buf.release();
            } else {
                FileRegion region = (FileRegion) part;
                long done = 0;
                while (done < region.count()) {
                    done += region.transferTo(channel, done);
                }
                region.release();
            }
        }
        return out.toByteArray();
    }

}
