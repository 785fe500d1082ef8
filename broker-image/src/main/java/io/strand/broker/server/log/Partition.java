package io.strand.broker.server.log;

import io.strand.broker.storage.AppendResult;
import io.strand.broker.storage.LogConfig;
import io.strand.broker.storage.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * One partition this broker leads: its log plus what the network layer needs around it (the high watermark and
 * the fetches waiting for data). Thread-safe: the log serialises appends; listeners run on the appending thread
 * and must only hand work to their own event loop.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private volatile boolean compacted;

    Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, boolean compacted) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.compacted = compacted;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public boolean compacted() {
        return compacted;
    }

    /** The leader epoch stamped on batches; constant until replication brings leader changes. */
    public int leaderEpoch() {
        return 0;
    }

    /** Offsets below this are committed and visible to consumers. A single replica commits on append. */
    public long highWatermark() {
        return log.logEndOffset();
    }

    public AppendResult append(ByteBuffer batches) throws IOException {
        AppendResult result = log.append(batches, leaderEpoch());
        log.maybeFlush();
        if (!result.duplicate()) {
            for (Runnable listener : appendListeners) {
                listener.run();
            }
        }
        return result;
    }

    public void addAppendListener(Runnable listener) {
        appendListeners.add(listener);
    }

    public void removeAppendListener(Runnable listener) {
        appendListeners.remove(listener);
    }

    void reconfigure(LogConfig config, boolean compacted) {
        log.updateConfig(config);
        this.compacted = compacted;
    }
}
