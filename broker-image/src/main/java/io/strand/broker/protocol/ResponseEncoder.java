package io.strand.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Frames a response: 4-byte size, response header, body. Record sets that live in segment files become
 * {@link io.netty.channel.FileRegion}s between the heap parts, so fetched data goes from page cache to socket
 * without passing through the JVM. Stateless and thread-safe.
 */
public final class ResponseEncoder {
    private ResponseEncoder() {
    }

    /** Returns the ByteBufs and FileRegions to write, in order; the caller writes (and so releases) every one. */
    public static List<Object> encode(ByteBufAllocator alloc, KafkaResponse response) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(response.correlationId());
        // ApiVersions responses always use header v0 so that clients can parse them whatever version they sent.
        short headerVersion = response.apiKey() == ApiKeys.API_VERSIONS ? 0 : response.apiKey().responseHeaderVersion(response.version());
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        response.body().addSize(size, cache, response.version());

        FrameWriter writer = new FrameWriter(alloc, 4 + size.sizeExcludingZeroCopy());
        writer.writeInt(size.totalSize());
        header.write(writer, cache, headerVersion);
        response.body().write(writer, cache, response.version());
        return writer.finish();
    }

    /** A {@link Writable} over ByteBufs that splits out file-backed record sets as zero-copy regions. */
    private static final class FrameWriter implements Writable {
        private final ByteBufAllocator alloc;
        private final List<Object> parts = new ArrayList<>(3);
        private ByteBuf current;

        FrameWriter(ByteBufAllocator alloc, int initialCapacity) {
            this.alloc = alloc;
            this.current = alloc.ioBuffer(initialCapacity);
        }

        List<Object> finish() {
            if (current.isReadable() || parts.isEmpty()) {
                parts.add(current);
            } else {
                current.release();
            }
            current = null;
            return parts;
        }

        @Override
        public void writeRecords(BaseRecords records) {
            if (records instanceof FileSliceRecords slice) {
                if (slice.sizeInBytes() == 0) {
                    return;
                }
                parts.add(current);
                parts.add(new SegmentFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
                current = alloc.ioBuffer(64);
            } else if (records instanceof MemoryRecords memory) {
                current.writeBytes(memory.buffer().duplicate());
            } else {
                throw new IllegalArgumentException("cannot send records of type " + records.getClass().getName());
            }
        }

        @Override
        public void writeByte(byte val) {
            current.writeByte(val);
        }

        @Override
        public void writeShort(short val) {
            current.writeShort(val);
        }

        @Override
        public void writeInt(int val) {
            current.writeInt(val);
        }

        @Override
        public void writeLong(long val) {
            current.writeLong(val);
        }

        @Override
        public void writeDouble(double val) {
            current.writeDouble(val);
        }

        @Override
        public void writeByteArray(byte[] arr) {
            current.writeBytes(arr);
        }

        @Override
        public void writeUnsignedVarint(int i) {
            int value = i;
            while ((value & 0xffffff80) != 0) {
                current.writeByte((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            current.writeByte(value);
        }

        @Override
        public void writeByteBuffer(ByteBuffer buf) {
            current.writeBytes(buf.duplicate());
        }

        @Override
        public void writeVarint(int i) {
            writeUnsignedVarint((i << 1) ^ (i >> 31));
        }

        @Override
        public void writeVarlong(long i) {
            long value = (i << 1) ^ (i >> 63);
            while ((value & 0xffffffffffffff80L) != 0L) {
                current.writeByte(((int) value & 0x7f) | 0x80);
                value >>>= 7;
            }
            current.writeByte((int) value);
        }

        @Override
        public void writeUuid(Uuid uuid) {
            current.writeLong(uuid.getMostSignificantBits());
            current.writeLong(uuid.getLeastSignificantBits());
        }
    }
}
