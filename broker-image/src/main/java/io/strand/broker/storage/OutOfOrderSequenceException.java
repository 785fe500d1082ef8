package io.strand.broker.storage;

/** An idempotent producer's sequence does not follow its previous batch. Kafka OUT_OF_ORDER_SEQUENCE_NUMBER. */
public final class OutOfOrderSequenceException extends StorageException {

    public OutOfOrderSequenceException(String message) {
        super(message);
    }

    @Override
    public short kafkaErrorCode() {
        return 45;
    }
}
