package io.strand.broker.server.log;

import io.strand.broker.server.cluster.MetadataRecord;

/**
 * Hands out producer ids for idempotent producers from blocks reserved in the cluster metadata, so no two brokers
 * (and no restart) ever hand out the same id. Thread-safe.
 */
public final class ProducerIdManager {
    static final int BLOCK_SIZE = 1000;
    private final LogManager logs;
    private long next;
    private long blockEnd;

    public ProducerIdManager(LogManager logs) {
        this.logs = logs;
    }

    public synchronized long nextProducerId() {
        if (next >= blockEnd) {
            String start = logs.commit(new MetadataRecord.AllocateProducerIds(BLOCK_SIZE), IllegalStateException::new).value();
            next = Long.parseLong(start);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }

}
