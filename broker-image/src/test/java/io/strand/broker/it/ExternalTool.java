package io.strand.broker.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * External client tools (kcat, Debian's python3 with kafka-python / confluent-kafka) used by the *IT classes.
 *
 * <p>The skip rule: a missing tool skips the test (JUnit assumption) on a developer's machine, but when the
 * environment variable {@code CI=true} it FAILS the test: nothing may skip in CI, where .ci/run installs the tools.
 */
final class ExternalTool {
    private ExternalTool() {
    }

    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (locally) or fails (CI=true) with {@code message} unless {@code available}. */
    static void require(boolean available, String message) {
        if (available) {
            return;
        }
        if (inCi()) {
            fail("CI=true, so a missing tool fails instead of skipping: " + message);
        }
        Assumptions.abort(message + " (skipped; with CI=true this fails)");
    }

    /** The executable {@code name} on PATH, skipping/failing the test when there is none. */
    static Path requireOnPath(String name, String installHint) {
        Optional<Path> found = onPath(name);
        require(found.isPresent(), name + " is not on PATH; install it with: " + installHint);
        return found.orElseThrow();
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Skips/fails unless {@code python} exists and can import every module in {@code modules}. */
    static void requirePythonModules(String python, String installHint, String... modules) {
        Path exe = Path.of(python);
        require(Files.isExecutable(exe), python + " does not exist; install it with: " + installHint);
        String code = "import " + String.join(", ", modules);
        Result r = run(List.of(python, "-c", code), Map.of(), null, Duration.ofSeconds(30));
        require(r.exitCode() == 0, python + " cannot `" + code + "`; install it with: " + installHint + "\n" + r.output());
    }

    /** Output of a finished (or timed-out and killed) process; exit code -1 means it timed out. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, Duration took) {
        boolean timedOut() {
            return exitCode == -1;
        }

        /** Everything the process printed, for assertion messages. */
        String output() {
            return "$ " + String.join(" ", command) + "\n(exit " + (timedOut() ? "TIMEOUT" : exitCode) + " after "
                    + took.toMillis() + " ms)\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * Runs {@code command} with {@code stdin} (may be null) and extra environment, killing it after {@code timeout}.
     * stdout and stderr are captured separately through files, so a chatty process cannot block on a full pipe.
     */
    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout) {
        long start = System.nanoTime();
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("strand-tool", ".out");
            err = Files.createTempFile("strand-tool", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            if (stdin != null) {
                in = Files.createTempFile("strand-tool", ".in");
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            int code;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                code = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                code = -1;
            }
            return new Result(command, code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            for (Path p : new Path[] {out, err, in}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a temp file left behind is harmless
                    }
                }
            }
        }
    }
}
