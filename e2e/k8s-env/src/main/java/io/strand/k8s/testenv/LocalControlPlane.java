package io.strand.k8s.testenv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control plane of e2e/k8s-env, started by its start.sh and stopped by its stop.sh. */
final class LocalControlPlane extends ControlPlane {

    private static final Logger LOG = LoggerFactory.getLogger(LocalControlPlane.class);
    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final Path envDir;
    private final Path stateDir;

    private LocalControlPlane(Path envDir, Path stateDir) {
        super(stateDir.resolve("kubeconfig"), true);
        this.envDir = envDir;
        this.stateDir = stateDir;
    }

    /** The bin directory build.sh has completed for the pinned versions, without building anything. */
    static Optional<Path> cachedBinaries(Path envDir) {
        try {
            Process process = new ProcessBuilder("bash", envDir.resolve("bin/build.sh").toString(), "--cached-only")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
            List<String> lines = out.lines().toList();
            return Optional.of(Path.of(lines.get(lines.size() - 1)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static LocalControlPlane start(Path envDir, Path binaries, Path stateDir) throws IOException, InterruptedException {
        Files.createDirectories(stateDir.getParent());
        Path log = stateDir.resolveSibling(stateDir.getFileName() + "-start.log");
        ProcessBuilder builder = new ProcessBuilder("bash", envDir.resolve("bin/start.sh").toString(), stateDir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("STRAND_K8S_BIN", binaries.toString());
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            stop(envDir, stateDir);
            throw new IOException("start.sh did not finish within " + START_LIMIT + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IOException("start.sh failed with exit " + process.exitValue() + ":\n" + Files.readString(log));
        }
        LOG.info("local Kubernetes control plane started in {} ms, state in {}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), stateDir);
        return new LocalControlPlane(envDir, stateDir);
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            System.clearProperty("strand.k8s.running.kubeconfig");
            stop(envDir, stateDir);
        }
    }

    private static void stop(Path envDir, Path stateDir) {
        try {
            // keep the state (logs, etcd) under target/ so a failed run can be examined
            Process process = new ProcessBuilder("bash", envDir.resolve("bin/stop.sh").toString(), stateDir.toString(), "--keep")
                    .inheritIO().start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOG.warn("stop.sh did not finish within 60 s; processes of {} may remain", stateDir);
            }
        } catch (IOException e) {
            LOG.warn("could not run stop.sh for {}: {}", stateDir, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
