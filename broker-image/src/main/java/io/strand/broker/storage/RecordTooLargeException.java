package io.strand.broker.storage;

/** A batch is larger than {@link LogConfig#maxBatchBytes()}. Kafka MESSAGE_TOO_LARGE. */
public final class RecordTooLargeException extends StorageException {

    public RecordTooLargeException(String message) {
        super(message);
    }

    @Override
    public short kafkaErrorCode() {
        return 10;
    }
}
