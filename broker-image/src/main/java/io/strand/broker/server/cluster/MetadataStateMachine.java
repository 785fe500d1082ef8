package io.strand.broker.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;

/**
 * The Raft state machine of the metadata quorum: applies {@link MetadataRecord}s to the {@link ClusterImage} in log
 * order, snapshots the image, and answers read-only queries (heartbeats) through a pluggable handler that only does
 * something on the leader. Listeners see every new image, in order, on Ratis' apply thread: they must be quick.
 */
final class MetadataStateMachine extends BaseStateMachine {
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<Consumer<ClusterImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterImage image = ClusterImage.empty();
    private volatile Function<byte[], byte[]> queryHandler = q -> new byte[0];

    ClusterImage image() {
        return image;
    }

    void addListener(Consumer<ClusterImage> listener) {
        listeners.add(listener);
    }

    void setQueryHandler(Function<byte[], byte[]> handler) {
        this.queryHandler = handler;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.getLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** Ratis pauses the state machine before it installs a snapshot sent by the leader (and asserts it did). */
    @Override
    public void pause() {
        if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * After a snapshot from the leader was installed: loads it. {@code loadLatestSnapshot}, not the cached
     * {@code getLatestSnapshot}, which would still name this member's own older snapshot.
     */
    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycle().compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING)) {
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null || !Files.exists(snapshot.getFile().getPath())) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        ClusterImage loaded = MetadataCodec.decodeImage(Files.readAllBytes(file));
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file.toFile());
        synchronized (this) {
            image = loaded;
            updateLastAppliedTermIndex(last);
        }
        publish(loaded);
    }

    @Override
    public long takeSnapshot() throws IOException {
        ClusterImage current;
        TermIndex applied;
        synchronized (this) {
            current = image;
            applied = getLastAppliedTermIndex();
        }
        if (applied == null || applied.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        Path file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, MetadataCodec.encodeImage(current));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, null), applied));
        return applied.getIndex();
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetadataRecord record = MetadataCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        ClusterImage.Applied applied;
        synchronized (this) {
            applied = image.apply(entry.getIndex(), record);
            image = applied.image();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        publish(applied.image());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(Reply.encode(applied))));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(queryHandler.apply(request.getContent().toByteArray()))));
    }

    private void publish(ClusterImage next) {
        for (Consumer<ClusterImage> listener : listeners) {
            listener.accept(next);
        }
    }

    /** What a proposer learns about its record: applied at which offset, and the error or value. */
    record Reply(long offset, String error, String value) {
        static byte[] encode(ClusterImage.Applied applied) {
            String text = applied.image().offset() + "\n" + (applied.error() == null ? "" : applied.error().replace('\n', ' ')) + "\n"
                    + (applied.value() == null ? "" : applied.value());
            return text.getBytes(StandardCharsets.UTF_8);
        }

        static Reply decode(byte[] bytes) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\n", 3);
            return new Reply(Long.parseLong(parts[0]), parts[1].isEmpty() ? null : parts[1], parts[2].isEmpty() ? null : parts[2]);
        }
    }
}
