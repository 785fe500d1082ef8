package io.strand.broker.server.cluster;

import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * This broker's view of the cluster metadata: the latest image applied locally, and proposals that complete only
 * once this broker has applied them, so a client that created a topic through this broker sees it in its next
 * Metadata response. Thread-safe.
 */
public final class ClusterMetadata implements AutoCloseable {
    private final int nodeId;
    private final MetadataLog log;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));

    private record Waiter(long offset, CompletableFuture<Void> future) {
    }

    public ClusterMetadata(int nodeId, MetadataLog log) {
        this.nodeId = nodeId;
        this.log = log;
        log.addListener(this::applied);
    }

    public int nodeId() {
        return nodeId;
    }

    public MetadataLog log() {
        return log;
    }

    public ClusterImage image() {
        return log.image();
    }

    public void addListener(Consumer<ClusterImage> listener) {
        log.addListener(listener);
    }

    /** The controller (Raft leader), or -1 while an election runs. */
    public int controllerId() {
        return log.leaderId();
    }

    /** Proposes a record; completes after it was applied here too. Refusals complete normally with an error. */
    public CompletableFuture<MetadataLog.Result> submit(MetadataRecord record) {
        return log.submit(record).thenCompose(result -> awaitOffset(result.offset()).thenApply(v -> result));
    }

    public CompletableFuture<Void> awaitOffset(long offset) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (waiters) {
            if (log.image().offset() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            waiters.add(new Waiter(offset, future));
        }
        // the image may have moved between the check and the registration
        applied(log.image());
        return future;
    }

    private void applied(ClusterImage image) {
        java.util.List<Waiter> ready = new java.util.ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().offset() <= image.offset()) {
                ready.add(waiters.poll());
            }
        }
        ready.forEach(w -> w.future().complete(null));
    }

    /** Brokers clients may talk to: registered and not fenced. */
    public Map<Integer, BrokerRegistration> liveBrokers() {
        Map<Integer, BrokerRegistration> live = new java.util.TreeMap<>();
        image().brokers().values().stream().filter(b -> !b.fenced()).forEach(b -> live.put(b.id(), b));
        return live;
    }

    @Override
    public void close() {
        log.close();
    }
}
