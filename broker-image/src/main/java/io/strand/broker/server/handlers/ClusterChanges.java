package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.MetadataLog;
import io.strand.broker.server.cluster.MetadataRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Proposing a metadata record from an admin handler without blocking the event loop: the future completes once the
 * record was committed and applied on this broker, with the image's refusal (if any) mapped to a Kafka error.
 */
final class ClusterChanges {
    /** Upper bound for one proposal: a quorum without a leader must not hold a request forever. */
    static final long MAX_WAIT_MS = 30_000;

    private ClusterChanges() {
    }

    /** The outcome of one proposal: {@link Errors#NONE} or the error and a message for the client. */
    record Outcome(Errors error, String message) {
        static final Outcome OK = new Outcome(Errors.NONE, null);

        boolean ok() {
            return error == Errors.NONE;
        }
    }

    static CompletableFuture<Outcome> propose(BrokerContext broker, MetadataRecord record, long timeoutMs) {
        long wait = timeoutMs <= 0 ? MAX_WAIT_MS : Math.min(timeoutMs, MAX_WAIT_MS);
        CompletableFuture<MetadataLog.Result> submitted;
        try {
            // Not ClusterMetadata.submit: it waits for the result's offset to be applied here, and LocalMetadataLog
            // reports a refusal at an offset its image only reaches with the next accepted record. A refusal changes
            // nothing, so only accepted records need waiting for (so the client's next Metadata request sees them).
            ClusterMetadata metadata = broker.logs().metadata();
            submitted = metadata.log().submit(record)
                    .thenCompose(result -> result.ok() ? metadata.awaitOffset(result.offset()).thenApply(v -> result) : CompletableFuture.completedFuture(result));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Outcome(Errors.NOT_CONTROLLER, "the metadata quorum refused the proposal: " + e.getMessage()));
        }
        return submitted.orTimeout(wait, TimeUnit.MILLISECONDS).handle((result, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                return cause instanceof TimeoutException
                        ? new Outcome(Errors.REQUEST_TIMED_OUT, "the metadata quorum did not commit the change within " + wait + " ms")
                        : new Outcome(Errors.NOT_CONTROLLER, "the metadata quorum did not commit the change: " + cause);
            }
            return result.ok() ? Outcome.OK : refusal(result.error());
        });
    }

    /**
     * The image refuses with either an error code name ("ELECTION_NOT_NEEDED") or a sentence; sentences get the
     * closest error code and are passed on as the message.
     */
    static Outcome refusal(String error) {
        try {
            Errors named = Errors.valueOf(error);
            return new Outcome(named, named.message());
        } catch (IllegalArgumentException notAName) {
            if (error.contains("is not registered")) {
                return new Outcome(Errors.BROKER_ID_NOT_REGISTERED, error);
            }
            if (error.contains("does not exist")) {
                return new Outcome(Errors.UNKNOWN_TOPIC_OR_PARTITION, error);
            }
            return new Outcome(Errors.INVALID_REQUEST, error);
        }
    }
}
