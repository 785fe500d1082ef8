package io.strand.broker.storage;

/**
 * Base of the errors the storage layer reports for a request that cannot be served (bad input, fenced producer,
 * offset out of range). These are <em>unchecked</em> on purpose: they map one-to-one to a Kafka error code
 * ({@link #kafkaErrorCode()}) for the one partition in the response, whereas a checked {@link java.io.IOException}
 * thrown by the storage API means the disk itself failed (Kafka's {@code KAFKA_STORAGE_ERROR}). Immutable; thread-safe.
 */
public abstract sealed class StorageException extends RuntimeException
        permits CorruptBatchException, RecordTooLargeException, InvalidProducerEpochException,
                OutOfOrderSequenceException, OffsetOutOfRangeException {

    protected StorageException(String message) {
        super(message);
    }

    /** The Kafka protocol error code this maps to. */
    public abstract short kafkaErrorCode();
}
