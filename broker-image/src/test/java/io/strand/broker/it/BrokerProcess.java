package io.strand.broker.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real broker (the shaded jar that {@code java -jar} users run) as a separate process on 127.0.0.1,
 * so tests can kill -9 it, restart it on the same data directory, and drive it with any client.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int port;
    private final Map<String, String> overrides;
    private final Path logFile;
    private Process process;

    private BrokerProcess(Path dataDir, int port, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.port = port;
        this.overrides = overrides;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + "-broker.log");
    }

    /** Starts a broker on a free loopback port with its data in {@code dataDir}; {@code overrides} are broker config keys. */
    public static BrokerProcess start(Path dataDir, Map<String, String> overrides) {
        BrokerProcess broker = new BrokerProcess(dataDir, freePort(), new LinkedHashMap<>(overrides));
        broker.launch();
        return broker;
    }

    public static BrokerProcess start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    public static Path jar() {
        String jar = System.getProperty("strand.broker.jar", "target/strand-broker.jar");
        Path path = Path.of(jar).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("broker jar not found at " + path + ": run `mvn package` first");
        }
        return path;
    }

    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.add("--override");
        cmd.add("listeners=PLAINTEXT://127.0.0.1:" + port);
        cmd.add("--override");
        cmd.add("advertised.listeners=PLAINTEXT://127.0.0.1:" + port);
        cmd.add("--override");
        cmd.add("log.dirs=" + dataDir);
        cmd.add("--override");
        cmd.add("metrics.port=0");
        overrides.forEach((k, v) -> {
            cmd.add("--override");
            cmd.add(k + "=" + v);
        });
        return cmd;
    }

    private void launch() {
        try {
            Files.createDirectories(dataDir);
            ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + ":\n" + logs());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("broker did not listen on " + port + " within " + START_TIMEOUT + ":\n" + logs());
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs, nothing is flushed beyond what the OS already has. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** SIGTERM and wait for a clean exit. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    /** Starts the broker again on the same port and data directory (after {@link #kill()} or {@link #stop()}). */
    public void restart() {
        stop();
        launch();
    }

    public String logs() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** See {@link FreePorts}: below the ephemeral range, so no outbound connection takes it before the broker binds. */
    public static int freePort() {
        return FreePorts.next();
    }
}
