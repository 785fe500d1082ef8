package io.strand.broker.storage;

/**
 * Outcome of {@link PartitionLog#append}. Immutable.
 *
 * @param baseOffset      offset assigned to the first record of the request
 * @param lastOffset      offset of the last record of the request
 * @param logAppendTimeMs broker timestamp stamped into the batches, or -1 for CreateTime topics (and duplicates)
 * @param logStartOffset  the log start offset after the append
 * @param duplicate       true when the batch was a retry of an idempotent batch already in the log: nothing was written
 *                        and the offsets are those of the original append
 */
public record AppendResult(long baseOffset, long lastOffset, long logAppendTimeMs, long logStartOffset, boolean duplicate) {
}
