package io.strand.broker.server.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Hands out producer ids for idempotent producers. Ids are reserved in blocks whose upper bound is persisted
 * (and fsynced) before any id of the block is used, so ids are never reused across restarts or crashes.
 * Thread-safe.
 */
public final class ProducerIdManager {
    private static final long BLOCK_SIZE = 1000;
    private final Path file;
    private long next;
    private long blockEnd;

    public ProducerIdManager(Path metadataDir) throws IOException {
        this.file = metadataDir.resolve("producer-id-block");
        long reservedUpTo = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0L;
        this.next = reservedUpTo;
        this.blockEnd = reservedUpTo;
    }

    public synchronized long nextProducerId() {
        if (next >= blockEnd) {
            reserve(blockEnd + BLOCK_SIZE);
        }
        return next++;
    }

    private void reserve(long upTo) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(upTo), StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            blockEnd = upTo;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve producer ids", e);
        }
    }
}
