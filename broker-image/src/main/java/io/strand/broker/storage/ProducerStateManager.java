package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Idempotent-producer state of one partition: producerId → epoch and the metadata of its last
 * {@value #MAX_CACHED_BATCHES} batches, used to detect duplicates, sequence gaps and fenced epochs (Kafka's rules).
 *
 * <p>Validation is two-phase: {@link #begin()} returns a {@link Batch} of staged changes that checks every batch of a
 * request against the committed state plus the earlier batches of the same request; only after the bytes are written
 * does {@link Batch#commit()} apply them, so a rejected or failed append leaves the state untouched.
 *
 * <p>Snapshot file {@code %020d.snapshot} (named by the offset it covers up to, exclusive), big-endian:
 * {@code int32 magic 0x53545053, int16 version 1, int32 producerCount}, then per producer
 * {@code int64 producerId, int16 epoch, int8 batchCount} and per batch {@code int32 firstSeq, int32 lastSeq,
 * int64 firstOffset, int64 lastOffset, int64 timestamp}; finally {@code int32 CRC-32C} of all preceding bytes.
 *
 * <p>Thread-safety: not thread-safe; only used by {@link PartitionLog} under its lock.
 */
final class ProducerStateManager {
    static final int MAX_CACHED_BATCHES = 5;
    private static final int SNAPSHOT_MAGIC = 0x53545053;
    private static final short SNAPSHOT_VERSION = 1;

    /** Metadata of one appended batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    /** State of one producer; mutable, copied when staged. */
    static final class ProducerEntry {
        short epoch;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>();

        ProducerEntry(short epoch) {
            this.epoch = epoch;
        }

        ProducerEntry copy() {
            ProducerEntry e = new ProducerEntry(epoch);
            e.batches.addAll(batches);
            return e;
        }

        void add(short batchEpoch, BatchMetadata m) {
            if (batchEpoch != epoch) {
                epoch = batchEpoch;
                batches.clear();
            }
            batches.addLast(m);
            while (batches.size() > MAX_CACHED_BATCHES) batches.removeFirst();
        }
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();

    int producerCount() {
        return producers.size();
    }

    ProducerEntry entry(long producerId) {
        return producers.get(producerId);
    }

    void clear() {
        producers.clear();
    }

    /**
     * producerId → last offset of the producer's last data batch. The cleaner keeps those batches even when it empties
     * them, so the producer's last sequence survives compaction and a restart (Kafka's rule).
     */
    Map<Long, Long> lastOffsets() {
        Map<Long, Long> out = new HashMap<>();
        producers.forEach((pid, e) -> {
            if (!e.batches.isEmpty()) out.put(pid, e.batches.getLast().lastOffset());
        });
        return out;
    }

    /** Applies a batch read back from the log (recovery); no validation. */
    void replay(BatchHeader h) {
        if (h.producerId() < 0) return;
        ProducerEntry e = producers.computeIfAbsent(h.producerId(), id -> new ProducerEntry(h.producerEpoch()));
        if (h.producerEpoch() < e.epoch) return;
        if (h.isControl() || h.baseSequence() < 0) {
            if (h.producerEpoch() != e.epoch) {
                e.epoch = h.producerEpoch();
                e.batches.clear();
            }
            return;
        }
        e.add(h.producerEpoch(), new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset(),
                h.maxTimestamp()));
    }

    Batch begin() {
        return new Batch();
    }

    /** Staged changes of one append request. */
    final class Batch {
        private final Map<Long, ProducerEntry> staged = new HashMap<>();

        /**
         * Checks one batch (with its would-be offsets already in {@code h}). Returns the original metadata when the batch
         * duplicates one of the producer's cached batches (nothing is staged then); otherwise stages it and returns null.
         *
         * @throws InvalidProducerEpochException  epoch older than the known one
         * @throws OutOfOrderSequenceException    sequence does not continue the producer's last batch
         */
        BatchMetadata check(BatchHeader h) {
            if (h.producerId() < 0) return null;
            ProducerEntry current = staged.get(h.producerId());
            if (current == null) {
                ProducerEntry committed = producers.get(h.producerId());
                current = committed == null ? null : committed.copy();
            }
            short epoch = h.producerEpoch();
            if (current != null && epoch < current.epoch) {
                throw new InvalidProducerEpochException("producer " + h.producerId() + " epoch " + epoch
                        + " is older than current epoch " + current.epoch);
            }
            boolean control = h.isControl() || h.baseSequence() < 0;
            if (!control && current != null) {
                if (epoch == current.epoch) {
                    for (BatchMetadata m : current.batches) {
                        if (m.firstSeq() == h.baseSequence() && m.lastSeq() == h.lastSequence()) return m;
                    }
                    if (!current.batches.isEmpty()) {
                        int expected = BatchHeader.incrementSequence(current.batches.getLast().lastSeq(), 1);
                        if (h.baseSequence() != expected) {
                            throw new OutOfOrderSequenceException("producer " + h.producerId() + ": expected sequence "
                                    + expected + " but got " + h.baseSequence());
                        }
                    }
                } else if (h.baseSequence() != 0) {
                    throw new OutOfOrderSequenceException("producer " + h.producerId() + " bumped epoch to " + epoch
                            + " but the first sequence is " + h.baseSequence() + " instead of 0");
                }
            }
            if (current == null) current = new ProducerEntry(epoch);
            if (control) {
                if (epoch != current.epoch) {
                    current.epoch = epoch;
                    current.batches.clear();
                }
            } else {
                current.add(epoch, new BatchMetadata(h.baseSequence(), h.lastSequence(), h.baseOffset(), h.lastOffset(),
                        h.maxTimestamp()));
            }
            staged.put(h.producerId(), current);
            return null;
        }

        void commit() {
            producers.putAll(staged);
            staged.clear();
        }
    }

    void writeSnapshot(Path file) throws IOException {
        int size = 4 + 2 + 4 + 4;
        for (ProducerEntry e : producers.values()) size += 8 + 2 + 1 + e.batches.size() * 32;
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putInt(SNAPSHOT_MAGIC).putShort(SNAPSHOT_VERSION).putInt(producers.size());
        for (Map.Entry<Long, ProducerEntry> en : producers.entrySet()) {
            ProducerEntry e = en.getValue();
            buf.putLong(en.getKey()).putShort(e.epoch).put((byte) e.batches.size());
            for (BatchMetadata m : e.batches) {
                buf.putInt(m.firstSeq()).putInt(m.lastSeq()).putLong(m.firstOffset()).putLong(m.lastOffset())
                        .putLong(m.timestamp());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        buf.flip();
        StorageFiles.writeAtomically(file, buf, true);
    }

    /** Replaces the state with a snapshot's content; returns false (state cleared) when the file is missing or corrupt. */
    boolean loadSnapshot(Path file) throws IOException {
        producers.clear();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != buf.getInt(bytes.length - 4)) return false;
            if (buf.getInt() != SNAPSHOT_MAGIC || buf.getShort() != SNAPSHOT_VERSION) return false;
            int count = buf.getInt();
            for (int i = 0; i < count; i++) {
                long pid = buf.getLong();
                ProducerEntry e = new ProducerEntry(buf.getShort());
                int n = buf.get();
                for (int j = 0; j < n; j++) {
                    e.batches.add(new BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong()));
                }
                producers.put(pid, e);
            }
            return true;
        } catch (RuntimeException e) {
            producers.clear();
            return false;
        }
    }

    /** Snapshot files in {@code dir}, ascending by offset. */
    static List<Long> listSnapshots(Path dir) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (var stream = Files.list(dir)) {
            for (Iterator<Path> it = stream.iterator(); it.hasNext(); ) {
                long off = StorageFiles.parseOffset(it.next().getFileName().toString(), StorageFiles.SNAPSHOT_SUFFIX);
                if (off >= 0) offsets.add(off);
            }
        }
        offsets.sort(null);
        return offsets;
    }

    /** Writes a snapshot covering offsets below {@code offset} and deletes all but the newest {@code keep} snapshots. */
    void writeSnapshot(Path dir, long offset, int keep) throws IOException {
        writeSnapshot(dir.resolve(StorageFiles.fileName(offset, StorageFiles.SNAPSHOT_SUFFIX)));
        List<Long> snaps = listSnapshots(dir);
        for (int i = 0; i < snaps.size() - keep; i++) {
            Files.deleteIfExists(dir.resolve(StorageFiles.fileName(snaps.get(i), StorageFiles.SNAPSHOT_SUFFIX)));
        }
    }

    /**
     * Rebuilds the state of a log ending at {@code logEndOffset}: deletes snapshots beyond it, loads the newest remaining
     * valid one and replays the batch headers after it (headers only); without a snapshot all segments are scanned.
     */
    void rebuild(Path dir, long logEndOffset, Iterable<LogSegment> segments) throws IOException {
        long from = -1;
        List<Long> snaps = listSnapshots(dir);
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path p = dir.resolve(StorageFiles.fileName(snaps.get(i), StorageFiles.SNAPSHOT_SUFFIX));
            if (snaps.get(i) > logEndOffset) {
                Files.deleteIfExists(p);
            } else if (loadSnapshot(p)) {
                from = snaps.get(i);
                break;
            }
        }
        if (from < 0) clear();
        long fromOffset = Math.max(from, 0);
        for (LogSegment s : segments) {
            if (s.nextOffset() <= fromOffset) continue;
            s.forEachHeader(fromOffset, this::replay);
        }
    }
}
