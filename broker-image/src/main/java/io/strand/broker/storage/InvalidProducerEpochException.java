package io.strand.broker.storage;

/** An idempotent producer used an epoch older than the one the log knows. Kafka INVALID_PRODUCER_EPOCH. */
public final class InvalidProducerEpochException extends StorageException {

    public InvalidProducerEpochException(String message) {
        super(message);
    }

    @Override
    public short kafkaErrorCode() {
        return 47;
    }
}
