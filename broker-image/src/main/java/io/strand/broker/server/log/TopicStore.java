package io.strand.broker.server.log;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * Persists topic definitions, one properties file per topic under {@code <log.dirs>/__strand_metadata/topics},
 * written atomically (temp file, fsync, rename) so a crash leaves either the old or the new definition.
 * Not thread-safe: {@link LogManager} serialises writes.
 */
final class TopicStore {
    private static final String CONFIG_PREFIX = "config.";
    private final Path dir;

    TopicStore(Path metadataDir) throws IOException {
        this.dir = metadataDir.resolve("topics");
        Files.createDirectories(dir);
    }

    Map<String, TopicInfo> loadAll() throws IOException {
        Map<String, TopicInfo> topics = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String fileName = file.getFileName().toString();
                if (!fileName.endsWith(".properties")) {
                    continue;
                }
                Properties props = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    props.load(reader);
                }
                Map<String, String> configs = new HashMap<>();
                for (String key : props.stringPropertyNames()) {
                    if (key.startsWith(CONFIG_PREFIX)) {
                        configs.put(key.substring(CONFIG_PREFIX.length()), props.getProperty(key));
                    }
                }
                TopicInfo topic = new TopicInfo(props.getProperty("name"), Uuid.fromString(props.getProperty("id")),
                        Integer.parseInt(props.getProperty("partitions")), configs);
                topics.put(topic.name(), topic);
            }
        }
        return topics;
    }

    void save(TopicInfo topic) throws IOException {
        Properties props = new Properties();
        props.setProperty("name", topic.name());
        props.setProperty("id", topic.id().toString());
        props.setProperty("partitions", Integer.toString(topic.partitions()));
        topic.configs().forEach((k, v) -> props.setProperty(CONFIG_PREFIX + k, v));
        Path target = fileOf(topic.name());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (Writer writer = Files.newBufferedWriter(tmp)) {
            props.store(writer, "topic " + topic.name());
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void delete(String name) throws IOException {
        Files.deleteIfExists(fileOf(name));
    }

    private Path fileOf(String name) {
        return dir.resolve(name + ".properties");
    }
}
