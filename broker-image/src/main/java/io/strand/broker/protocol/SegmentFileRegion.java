package io.strand.broker.protocol;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileRegion} over a segment file that does not own the channel: unlike Netty's DefaultFileRegion it never
 * closes it (the log does, after a delay, when the segment is deleted).
 */
final class SegmentFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel channel;
    private final long position;
    private final long count;
    private long transferred;

    SegmentFileRegion(FileChannel channel, long position, long count) {
        this.channel = channel;
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long offset) throws IOException {
        long remaining = count - offset;
        if (remaining <= 0) {
            return 0;
        }
        long written = channel.transferTo(position + offset, remaining, target);
        if (written == 0 && position + count > channel.size()) {
            // The segment was truncated under us: the bytes promised in the frame header no longer exist.
            throw new IOException("segment shrank to " + channel.size() + " bytes while sending [" + position + ", " + (position + count) + ")");
        }
        transferred += written;
        return written;
    }

    @Override
    protected void deallocate() {
        // the channel belongs to the log segment
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
