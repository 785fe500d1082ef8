package io.strand.broker.storage;

/** A fetch or DeleteRecords offset is outside [logStartOffset, logEndOffset]. Kafka OFFSET_OUT_OF_RANGE. */
public final class OffsetOutOfRangeException extends StorageException {

    public OffsetOutOfRangeException(String message) {
        super(message);
    }

    @Override
    public short kafkaErrorCode() {
        return 1;
    }
}
