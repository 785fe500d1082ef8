package io.strand.broker.storage;

/** A record batch failed validation (bad magic, length or CRC). Kafka CORRUPT_MESSAGE. */
public final class CorruptBatchException extends StorageException {

    public CorruptBatchException(String message) {
        super(message);
    }

    @Override
    public short kafkaErrorCode() {
        return 2;
    }
}
