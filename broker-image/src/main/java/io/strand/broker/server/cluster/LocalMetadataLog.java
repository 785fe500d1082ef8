package io.strand.broker.server.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metadata log with a single voter: this broker. Records are appended to {@code metadata.log} (length, CRC-32C,
 * bytes) and fsynced before they are applied, so an acknowledged topic change survives power loss; on open the log is
 * replayed on top of the last snapshot and a torn tail is cut off. Every {@value #SNAPSHOT_EVERY} records the image
 * is written to {@code metadata.snapshot} and the log restarted. Thread-safe: appends are serialised.
 */
public final class LocalMetadataLog implements MetadataLog {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataLog.class);
    static final int SNAPSHOT_EVERY = 10_000;

    private final int nodeId;
    private final Path logFile;
    private final Path snapshotFile;
    private final List<Consumer<ClusterImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterImage image;
    private volatile Function<byte[], byte[]> queryHandler = q -> new byte[0];
    private FileChannel channel;
    private long entriesSinceSnapshot;

    private LocalMetadataLog(int nodeId, Path dir) {
        this.nodeId = nodeId;
        this.logFile = dir.resolve("metadata.log");
        this.snapshotFile = dir.resolve("metadata.snapshot");
    }

    public static LocalMetadataLog open(int nodeId, Path dir) throws IOException {
        Files.createDirectories(dir);
        LocalMetadataLog log = new LocalMetadataLog(nodeId, dir);
        log.load();
        return log;
    }

    private void load() throws IOException {
        ClusterImage loaded = Files.exists(snapshotFile) ? MetadataCodec.decodeImage(Files.readAllBytes(snapshotFile)) : ClusterImage.empty();
        channel = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long position = 0;
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate(8);
        while (position + 8 <= size) {
            header.clear();
            channel.read(header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length <= 0 || position + 8 + length > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            channel.read(body, position + 8);
            if (crc(body.array()) != crc) {
                break;
            }
            MetadataRecord record = MetadataCodec.decode(body.array());
            loaded = loaded.apply(loaded.offset() + 1, record).image();
            position += 8 + length;
            entriesSinceSnapshot++;
        }
        if (position < size) {
            LOG.warn("Truncating the metadata log at byte {} of {}: the tail is torn or corrupt", position, size);
            channel.truncate(position);
            channel.force(true);
        }
        channel.position(position);
        image = loaded;
    }

    @Override
    public ClusterImage image() {
        return image;
    }

    @Override
    public void addListener(Consumer<ClusterImage> listener) {
        listeners.add(listener);
    }

    @Override
    public CompletableFuture<Result> submit(MetadataRecord record) {
        try {
            ClusterImage.Applied applied;
            synchronized (this) {
                applied = image.apply(image.offset() + 1, record);
                if (applied.ok()) {
                    append(MetadataCodec.encode(record));
                    image = applied.image();
                    if (++entriesSinceSnapshot >= SNAPSHOT_EVERY) {
                        snapshot();
                    }
                }
            }
            if (applied.ok()) {
                listeners.forEach(l -> l.accept(applied.image()));
            }
            // a refused record is not logged, so it took no offset: report the image it was judged against
            long offset = applied.ok() ? applied.image().offset() : image.offset();
            return CompletableFuture.completedFuture(new Result(offset, applied.error(), applied.value() == null ? null : applied.value().toString()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("cannot write the metadata log", e));
        }
    }

    /** Refused records are not logged: replay reaches the same image without them, since application is pure. */
    private void append(byte[] bytes) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(8 + bytes.length).putInt(bytes.length).putInt(crc(bytes)).put(bytes).flip();
        while (entry.hasRemaining()) {
            channel.write(entry);
        }
        channel.force(false);
    }

    private void snapshot() throws IOException {
        Path tmp = snapshotFile.resolveSibling("metadata.snapshot.tmp");
        ClusterImage current = image;
        Files.write(tmp, MetadataCodec.encodeImage(current));
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel.truncate(0);
        channel.position(0);
        channel.force(true);
        entriesSinceSnapshot = 0;
    }

    @Override
    public CompletableFuture<byte[]> query(byte[] request) {
        return CompletableFuture.completedFuture(queryHandler.apply(request));
    }

    @Override
    public void setQueryHandler(Function<byte[], byte[]> handler) {
        this.queryHandler = handler;
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public int leaderId() {
        return nodeId;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing the metadata log failed", e);
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
