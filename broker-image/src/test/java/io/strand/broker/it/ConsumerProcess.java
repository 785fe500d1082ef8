package io.strand.broker.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A group member in its own JVM, so a test can kill -9 it: no LeaveGroup, no more heartbeats, exactly what a crashed
 * application looks like to the coordinator (an in-process consumer keeps heartbeating from its background thread).
 */
final class ConsumerProcess implements AutoCloseable {
    private final Process process;
    private volatile String assignment = "";

    ConsumerProcess(String bootstrap, String group, String topic, int sessionTimeoutMs) {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                ConsumerProcess.class.getName(), bootstrap, group, topic, Integer.toString(sessionTimeoutMs));
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("ASSIGNED ")) {
                        assignment = line.substring("ASSIGNED ".length());
                    }
                }
            } catch (IOException ignored) {
                // the process died
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** What the member last reported as its assignment, e.g. "[t-0, t-1]". */
    String assignment() {
        return assignment;
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    public static void main(String[] args) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(args[0], Map.of(ConsumerConfig.GROUP_ID_CONFIG, args[1],
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[3]), ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200))) {
            consumer.subscribe(List.of(args[2]));
            String last = null;
            while (true) {
                consumer.poll(Duration.ofMillis(100));
                String now = consumer.assignment().toString();
                if (!now.equals(last)) {
                    System.out.println("ASSIGNED " + now);
                    System.out.flush();
                    last = now;
                }
            }
        }
    }
}
