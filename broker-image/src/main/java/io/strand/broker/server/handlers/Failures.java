package io.strand.broker.server.handlers;

import io.strand.broker.storage.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps what went wrong inside the broker to the Kafka error code a client understands. */
final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    private Failures() {
    }

    static Errors toError(Throwable e) {
        if (e instanceof StorageException storage) {
            return Errors.forCode(storage.kafkaErrorCode());
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            LOG.error("Storage failure", e);
            return Errors.KAFKA_STORAGE_ERROR;
        }
        Errors error = Errors.forException(e);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            LOG.error("Unexpected failure", e);
        }
        return error;
    }

    static String message(Throwable e, Errors error) {
        return e.getMessage() != null ? e.getMessage() : error.message();
    }
}
