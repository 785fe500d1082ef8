package io.strand.broker.storage;

import java.nio.channels.FileChannel;

/**
 * A byte range of a segment file to send to a fetcher with zero copy ({@code FileChannel.transferTo}). The range starts
 * and ends on batch boundaries (consumers would also tolerate a partial trailing batch). The channel stays open
 * for at least {@link LogConfig#fileDeleteDelayMs()} after the segment is removed from the log. Immutable.
 *
 * @param channel        segment file, or null when {@code length == 0}
 * @param position       start position in the file
 * @param length         number of bytes to send (0 = no data)
 * @param logStartOffset log start offset at the time of the read
 * @param logEndOffset   log end offset at the time of the read
 * @param nextOffset     offset just after the slice's last batch (the fetch offset that would follow it); -1 when empty
 */
public record LogSlice(FileChannel channel, long position, int length, long logStartOffset, long logEndOffset, long nextOffset) {

    public static LogSlice empty(long logStartOffset, long logEndOffset) {
        return new LogSlice(null, 0, 0, logStartOffset, logEndOffset, -1);
    }

    public boolean isEmpty() {
        return length == 0;
    }
}
