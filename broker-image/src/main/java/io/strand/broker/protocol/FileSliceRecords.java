package io.strand.broker.protocol;

import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Record batches that stay in a segment file: a fetch response carries this instead of bytes on the heap, and
 * {@link ResponseEncoder} sends it with {@code FileChannel.transferTo} (zero copy).
 */
public final class FileSliceRecords implements BaseRecords {
    private final FileChannel channel;
    private final long position;
    private final int length;

    public FileSliceRecords(FileChannel channel, long position, int length) {
        this.channel = channel;
        this.position = position;
        this.length = length;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return length;
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("sent by ResponseEncoder as a file region");
    }
}
