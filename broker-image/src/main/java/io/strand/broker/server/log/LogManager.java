package io.strand.broker.server.log;

import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.TopicConfigs;
import io.strand.broker.storage.LogCleaner;
import io.strand.broker.storage.LogConfig;
import io.strand.broker.storage.PartitionLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics this broker holds and their partition logs. Reads (lookups by name, id, partition) are lock-free;
 * topic changes are serialised by this object's monitor and persisted before they become visible.
 */
public final class LogManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final int MAX_PARTITIONS = 100_000;

    private final BrokerConfig config;
    private final Path logDir;
    private final TopicStore store;
    private final Clock clock;
    private final Map<String, TopicState> topics = new ConcurrentHashMap<>();
    private final Map<Uuid, TopicState> topicsById = new ConcurrentHashMap<>();
    /** Compacts logs whose cleanup.policy includes compact; null when log.cleaner.enable=false. */
    private final LogCleaner cleaner;

    private record TopicState(TopicInfo info, List<Partition> partitions) {
    }

    private LogManager(BrokerConfig config, TopicStore store, Clock clock) {
        this.config = config;
        this.logDir = config.logDir();
        this.store = store;
        this.clock = clock;
        this.cleaner = (Boolean) config.get(BrokerConfig.LOG_CLEANER_ENABLE) ? newCleaner(config, clock) : null;
    }

    private static LogCleaner newCleaner(BrokerConfig config, Clock clock) {
        LogCleaner.Config cleanerConfig = new LogCleaner.Config((Integer) config.get(BrokerConfig.LOG_CLEANER_THREADS),
                (Long) config.get(BrokerConfig.LOG_CLEANER_BACKOFF_MS), (Long) config.get(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                LogCleaner.Config.defaults().ioBufferBytes());
        return new LogCleaner(KafkaRecordCodec.INSTANCE, cleanerConfig, clock, new LogCleaner.Listener() {
            @Override
            public void cleaned(PartitionLog log, LogCleaner.CleaningStats s) {
                LOG.info("Compacted {} offsets [{}, {}): {} segment(s), {} bytes -> {} segment(s), {} bytes in {} ms",
                        log.dir().getFileName(), s.firstDirtyOffset(), s.cleanedUpTo(), s.segmentsBefore(), s.bytesBefore(),
                        s.segmentsAfter(), s.bytesAfter(), s.durationMs());
            }

            @Override
            public void failed(PartitionLog log, Exception error) {
                LOG.warn("Compaction of {} failed; retrying later", log.dir().getFileName(), error);
            }
        });
    }

    public static LogManager open(BrokerConfig config, Path metadataDir, Clock clock) throws IOException {
        LogManager manager = new LogManager(config, new TopicStore(metadataDir), clock);
        for (TopicInfo topic : manager.store.loadAll().values()) {
            manager.install(topic, manager.openPartitions(topic, 0, topic.partitions()));
        }
        return manager;
    }

    /** Runs retention and the time-based flush policy in the background, and starts the log cleaner. */
    public void schedule(ScheduledExecutorService scheduler) {
        if (cleaner != null) {
            cleaner.start();
        }
        scheduler.scheduleWithFixedDelay(this::runRetention, config.retentionCheckIntervalMs(), config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::runFlushPolicy, config.flushSchedulerIntervalMs(), config.flushSchedulerIntervalMs(), TimeUnit.MILLISECONDS);
    }

    public BrokerConfig brokerConfig() {
        return config;
    }

    public TopicInfo topic(String name) {
        TopicState state = topics.get(name);
        return state == null ? null : state.info();
    }

    public TopicInfo topic(Uuid id) {
        TopicState state = topicsById.get(id);
        return state == null ? null : state.info();
    }

    public Collection<TopicInfo> topics() {
        return topics.values().stream().map(TopicState::info).toList();
    }

    /** The partition, or null when the topic or partition does not exist. */
    public Partition partition(String topic, int partition) {
        TopicState state = topics.get(topic);
        if (state == null || partition < 0 || partition >= state.partitions().size()) {
            return null;
        }
        return state.partitions().get(partition);
    }

    public List<Partition> partitions() {
        List<Partition> all = new ArrayList<>();
        topics.values().forEach(t -> all.addAll(t.partitions()));
        return all;
    }

    public Map<String, String> effectiveConfigs(TopicInfo topic) {
        return TopicConfigs.effective(config, topic.configs());
    }

    /** Checks a create request without changing anything (CreateTopics validateOnly, and the first step of create). */
    public Map<String, String> validateNewTopic(String name, int partitions, Map<String, String> overrides) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw e;
        }
        if (topics.containsKey(name)) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        if (Topic.hasCollisionChars(name)) {
            for (String existing : topics.keySet()) {
                if (Topic.hasCollision(name, existing)) {
                    throw new InvalidTopicException("Topic '" + name + "' collides with existing topic '" + existing + "' ('.' and '_' collide in metric names).");
                }
            }
        }
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be between 1 and " + MAX_PARTITIONS + ", got " + partitions + ".");
        }
        try {
            return TopicConfigs.validate(overrides);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    public synchronized TopicInfo createTopic(String name, int partitions, Map<String, String> overrides) throws IOException {
        Map<String, String> normalised = validateNewTopic(name, partitions, overrides);
        Uuid id;
        do {
            id = Uuid.randomUuid();
        } while (topicsById.containsKey(id));
        TopicInfo topic = new TopicInfo(name, id, partitions, normalised);
        List<Partition> opened = openPartitions(topic, 0, partitions);
        store.save(topic);
        install(topic, opened);
        LOG.info("Created topic {} ({}) with {} partition(s) and configs {}", name, id, partitions, normalised);
        return topic;
    }

    public synchronized void deleteTopic(String name) throws IOException {
        TopicState state = topics.get(name);
        if (state == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        store.delete(name);
        topics.remove(name);
        topicsById.remove(state.info().id());
        for (Partition partition : state.partitions()) {
            unregisterFromCleaner(partition.log());
            partition.log().delete();
        }
        LOG.info("Deleted topic {} ({})", name, state.info().id());
    }

    public synchronized TopicInfo createPartitions(String name, int total, boolean validateOnly) throws IOException {
        TopicState state = topics.get(name);
        if (state == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        int current = state.info().partitions();
        if (total <= current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is higher than or equal to the requested " + total + ".");
        }
        if (total > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS + ", got " + total + ".");
        }
        if (validateOnly) {
            return state.info().withPartitions(total);
        }
        TopicInfo updated = state.info().withPartitions(total);
        List<Partition> all = new ArrayList<>(state.partitions());
        all.addAll(openPartitions(updated, current, total));
        store.save(updated);
        install(updated, all);
        LOG.info("Topic {} now has {} partitions", name, total);
        return updated;
    }

    /** Replaces a topic's overrides with {@code overrides} (already validated by the caller via {@link TopicConfigs#validate}). */
    public synchronized TopicInfo alterConfigs(String name, Map<String, String> overrides) throws IOException {
        TopicState state = topics.get(name);
        if (state == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        TopicInfo updated = state.info().withConfigs(overrides);
        store.save(updated);
        Map<String, String> effective = effectiveConfigs(updated);
        LogConfig logConfig = TopicConfigs.toLogConfig(effective);
        for (Partition partition : state.partitions()) {
            partition.reconfigure(logConfig, TopicConfigs.isCompacted(effective));
        }
        install(updated, state.partitions());
        if (cleaner != null) {
            cleaner.wakeup(); // a new policy or ratio may make a log cleanable now
        }
        LOG.info("Topic {} configs are now {}", name, overrides);
        return updated;
    }

    private void install(TopicInfo topic, List<Partition> partitions) {
        TopicState state = new TopicState(topic, List.copyOf(partitions));
        topics.put(topic.name(), state);
        topicsById.put(topic.id(), state);
    }

    private List<Partition> openPartitions(TopicInfo topic, int from, int to) throws IOException {
        Map<String, String> effective = effectiveConfigs(topic);
        LogConfig logConfig = TopicConfigs.toLogConfig(effective);
        boolean compacted = TopicConfigs.isCompacted(effective);
        List<Partition> opened = new ArrayList<>();
        for (int p = from; p < to; p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            PartitionLog log = PartitionLog.open(logDir.resolve(tp.topic() + "-" + tp.partition()), logConfig, clock);
            opened.add(new Partition(tp, topic.id(), log, compacted));
            if (cleaner != null) {
                // every log is registered: the cleaner only touches those whose current config says compact, so a
                // later change of cleanup.policy needs no bookkeeping here
                cleaner.register(log);
            }
        }
        return opened;
    }

    private void unregisterFromCleaner(PartitionLog log) {
        if (cleaner == null) {
            return;
        }
        try {
            cleaner.unregister(log); // waits for a running pass, which could otherwise write into the deleted directory
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the compaction of " + log.dir(), e);
        }
    }

    private void runRetention() {
        for (Partition partition : partitions()) {
            try {
                int removed = partition.log().deleteExpiredSegments();
                if (removed > 0) {
                    LOG.info("Retention removed {} segment(s) of {}; log start offset is now {}", removed,
                            partition.topicPartition(), partition.log().logStartOffset());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Retention of {} failed", partition.topicPartition(), e);
            }
        }
    }

    private void runFlushPolicy() {
        for (Partition partition : partitions()) {
            try {
                partition.log().maybeFlush();
            } catch (RuntimeException e) {
                LOG.warn("Flush of {} failed", partition.topicPartition(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (cleaner != null) {
            cleaner.close(); // before the logs: a pass must not swap segments into a closing log
        }
        Map<String, Throwable> failures = new HashMap<>();
        for (Partition partition : partitions()) {
            try {
                partition.log().close();
            } catch (IOException | RuntimeException e) {
                failures.put(partition.topicPartition().toString(), e);
            }
        }
        failures.forEach((tp, e) -> LOG.warn("Closing {} failed", tp, e));
        if (!failures.isEmpty() && failures.values().iterator().next() instanceof IOException io) {
            throw new UncheckedIOException(io);
        }
    }
}
