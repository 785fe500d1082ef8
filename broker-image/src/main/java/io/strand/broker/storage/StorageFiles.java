package io.strand.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * File naming and small-file helpers of the partition directory. Stateless; thread-safe.
 *
 * <p>Checkpoint files ({@code recovery-point}, {@code log-start-offset}) hold one decimal number followed by a newline.
 * All small files are written to {@code name.tmp}, fsynced, then atomically renamed over the target, so a crash leaves
 * either the old or the new content.
 */
final class StorageFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String DELETED_SUFFIX = ".deleted";
    static final String TMP_SUFFIX = ".tmp";
    static final String RECOVERY_POINT = "recovery-point";
    static final String LOG_START_OFFSET = "log-start-offset";
    static final String CLEAN_SHUTDOWN = ".clean-shutdown";
    /** A segment the cleaner is writing: {@code %020d.log.cleaned}; deleted at open (the cleaning did not commit). */
    static final String CLEANED_SUFFIX = ".cleaned";
    /**
     * A committed cleaned segment not yet renamed into place: {@code <base>-<end>.swap}, replacing the segments whose
     * base offsets lie in {@code [base, end)}. The range is in the name so recovery needs no other file.
     */
    static final String SWAP_SUFFIX = ".swap";
    static final String CLEANER_CHECKPOINT = "cleaner-offset-checkpoint";

    private StorageFiles() {
    }

    static String fileName(long offset, String suffix) {
        return String.format("%020d%s", offset, suffix);
    }

    static String swapFileName(long baseOffset, long endOffset) {
        return String.format("%020d-%020d%s", baseOffset, endOffset, SWAP_SUFFIX);
    }

    /** {base, end} of a {@link #swapFileName} name, or null when the name does not match. */
    static long[] parseSwapRange(String fileName) {
        if (!fileName.endsWith(SWAP_SUFFIX) || fileName.length() != 41 + SWAP_SUFFIX.length() || fileName.charAt(20) != '-') {
            return null;
        }
        long base = parseOffset(fileName.substring(0, 20) + LOG_SUFFIX, LOG_SUFFIX);
        long end = parseOffset(fileName.substring(21, 41) + LOG_SUFFIX, LOG_SUFFIX);
        return base < 0 || end < 0 ? null : new long[] {base, end};
    }

    /** Parses the offset out of {@code 00000000000000000042.log}-style names; -1 when the name does not match. */
    static long parseOffset(String fileName, String suffix) {
        if (!fileName.endsWith(suffix)) return -1;
        String digits = fileName.substring(0, fileName.length() - suffix.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(digits);
    }

    static void writeAtomically(Path target, ByteBuffer content, boolean fsync) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = content.duplicate();
            long pos = 0;
            while (b.hasRemaining()) pos += ch.write(b, pos);
            if (fsync) ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void writeCheckpoint(Path file, long value) throws IOException {
        writeAtomically(file, ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII)), true);
    }

    /** Returns the checkpointed value, or {@code defaultValue} when the file is missing or unreadable. */
    static long readCheckpoint(Path file, long defaultValue) {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return defaultValue;
        } catch (IOException | NumberFormatException e) {
            return defaultValue;
        }
    }

    static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover file is cleaned up at the next open
        }
    }
}
