package io.strand.broker.server.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The replicated log of {@link MetadataRecord}s and the {@link ClusterImage} it produces. Two implementations: the
 * Raft quorum of voters and non-voters ({@link MetadataQuorum}) and, for a broker configured without voters, a quorum of one
 * kept in a local file ({@link LocalMetadataLog}) that needs no network and starts in milliseconds.
 */
public interface MetadataLog extends AutoCloseable {
    /** The outcome of a proposed record once it was committed and applied. */
    record Result(long offset, String error, String value) {
        public boolean ok() {
            return error == null;
        }
    }

    ClusterImage image();

    /** Called with every new image, in log order. Listeners must be quick and must not block on the log. */
    void addListener(Consumer<ClusterImage> listener);

    CompletableFuture<Result> submit(MetadataRecord record);

    /** Sends a read-only request (a heartbeat) to the leader's handler. */
    CompletableFuture<byte[]> query(byte[] request);

    /** Installs the handler answering {@link #query} while this node leads. */
    void setQueryHandler(Function<byte[], byte[]> handler);

    /** Whether this node is the controller (the leader of the log). */
    boolean isLeader();

    /** The controller's node id, or -1 while there is none. */
    int leaderId();

    /**
     * Takes an unregistered broker out of the quorum's non-voting members, so the controller stops sending it the
     * log; completes with false when there was nothing to do or it could not be done (harmless: see docs/cluster.md).
     */
    default CompletableFuture<Boolean> removeNonVoter(int brokerId) {
        return CompletableFuture.completedFuture(false);
    }

    @Override
    void close();
}
