package io.strand.broker.storage;

import java.nio.channels.FileChannel;

/**
 * A whole batch located by a timestamp lookup; the protocol layer decodes its records (possibly compressed) to find the
 * exact record. Immutable.
 *
 * @param baseOffset   first offset of the batch
 * @param lastOffset   last offset of the batch
 * @param maxTimestamp the batch's maxTimestamp header field
 * @param channel      segment file holding the batch
 * @param position     batch start in the file
 * @param size         batch size in bytes
 */
public record TimestampMatch(long baseOffset, long lastOffset, long maxTimestamp, FileChannel channel, long position, int size) {
}
