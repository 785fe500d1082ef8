package io.strand.broker.server.log;

import io.strand.broker.server.cluster.ClusterImage;
import io.strand.broker.server.cluster.ClusterMetadata;
import io.strand.broker.server.cluster.MetadataLog;
import io.strand.broker.server.cluster.MetadataRecord;
import io.strand.broker.server.cluster.PartitionState;
import io.strand.broker.server.cluster.ReplicaPlacement;
import io.strand.broker.server.cluster.TopicMetadata;
import io.strand.broker.server.config.BrokerConfig;
import io.strand.broker.server.config.TopicConfigs;
import io.strand.broker.storage.LogCleaner;
import io.strand.broker.storage.LogConfig;
import io.strand.broker.storage.PartitionLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas this broker holds, kept in step with the cluster metadata: topics live in the metadata log (changes
 * are proposed there and take effect when applied), and whenever a new image is applied this broker opens logs for
 * partitions it was given, updates leaders, epochs and ISRs, and deletes logs of partitions taken from it. Lookups
 * are lock-free; reconciliation runs on one thread, in image order.
 */
public final class LogManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final int MAX_PARTITIONS = 100_000;
    private static final long METADATA_TIMEOUT_MS = 30_000;

    private final BrokerConfig config;
    private final ClusterMetadata metadata;
    private final Path logDir;
    private final Clock clock;
    private final LogCleaner cleaner;
    private final Map<TopicPartition, Partition> local = new ConcurrentHashMap<>();
    private final List<Consumer<Partition>> roleListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<TopicPartition>> removalListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<List<Integer>, List<Integer>>> isrListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strand-replica-reconciler");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean strayLogsChecked;

    private LogManager(BrokerConfig config, ClusterMetadata metadata, Clock clock) {
        this.config = config;
        this.metadata = metadata;
        this.logDir = config.logDir();
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

    /** Opens the local replicas the current image assigns to this broker and follows later images. */
    public static LogManager open(BrokerConfig config, ClusterMetadata metadata, Clock clock) throws IOException {
        LogManager manager = new LogManager(config, metadata, clock);
        manager.reconcile(metadata.image());
        metadata.addListener(image -> manager.reconciler.execute(() -> manager.reconcile(metadata.image())));
        return manager;
    }

    /**
     * Leader side of replication: a follower fetched {@code fetchOffset} (its log end offset). Moves the high watermark
     * and proposes an ISR change when the follower caught up (or others fell behind).
     */
    public void followerFetched(Partition partition, int replicaId, long fetchOffset) {
        long now = clock.millis();
        partition.followerFetched(replicaId, fetchOffset, now);
        maybeProposeIsr(partition, now);
    }

    /** Periodic: shrinks the ISR of led partitions whose followers fell behind, and moves their high watermarks. */
    public void checkIsr() {
        long now = clock.millis();
        for (Partition partition : partitions()) {
            if (partition.isLeader() && !partition.soleReplica()) {
                partition.maybeAdvanceHighWatermark();
                maybeProposeIsr(partition, now);
            }
        }
    }

    private void maybeProposeIsr(Partition partition, long now) {
        PartitionState s = partition.state();
        if (s.leader() != config.nodeId()) {
            return;
        }
        long epochStart = partition.log().leaderEpochCache().startOffsetOf(s.leaderEpoch());
        if (epochStart < 0) {
            epochStart = partition.log().logEndOffset();
        }
        List<Integer> isr = partition.followers().proposeIsr(s, partition.highWatermark(), epochStart, now, config.replicaLagTimeMaxMs());
        if (isr == null) {
            return;
        }
        TopicPartition tp = partition.topicPartition();
        LOG.info("Proposing ISR {} for {} (was {}, leader epoch {}, partition epoch {})", isr, tp, s.isr(), s.leaderEpoch(), s.partitionEpoch());
        metadata.submit(new MetadataRecord.AlterIsr(tp.topic(), tp.partition(), config.nodeId(), s.leaderEpoch(), s.partitionEpoch(), isr))
                .whenComplete((result, error) -> {
                    if (error != null || !result.ok()) {
                        LOG.info("ISR change {} for {} not applied: {}", isr, tp, error != null ? error.toString() : result.error());
                        partition.followers().proposalFailed(s.partitionEpoch(), clock.millis() + 1000);
                    } else {
                        isrListeners.forEach(l -> l.accept(s.isr(), isr));
                    }
                });
    }

    /** Runs retention and the time-based flush policy in the background, and starts the log cleaner. */
    public void schedule(ScheduledExecutorService scheduler) {
        if (cleaner != null) {
            cleaner.start();
        }
        scheduler.scheduleWithFixedDelay(this::runRetention, config.retentionCheckIntervalMs(), config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::runFlushPolicy, config.flushSchedulerIntervalMs(), config.flushSchedulerIntervalMs(), TimeUnit.MILLISECONDS);
        long isrCheckMs = Math.max(50, Math.min(5_000, config.replicaLagTimeMaxMs() / 2));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                checkIsr();
            } catch (RuntimeException e) {
                LOG.warn("ISR check failed", e);
            }
        }, isrCheckMs, isrCheckMs, TimeUnit.MILLISECONDS);
    }

    public BrokerConfig brokerConfig() {
        return config;
    }

    public ClusterMetadata metadata() {
        return metadata;
    }

    /** Called (on the reconciler thread) when a local replica is created or its leader, epoch or ISR changes. */
    public void addRoleListener(Consumer<Partition> listener) {
        roleListeners.add(listener);
    }

    /** Called with (old ISR, new ISR) when an ISR change this leader proposed was applied (Kafka's IsrShrinks/IsrExpands). */
    public void addIsrChangeListener(java.util.function.BiConsumer<List<Integer>, List<Integer>> listener) {
        isrListeners.add(listener);
    }

    /** Called (on the reconciler thread) before a local replica's log is deleted. */
    public void addRemovalListener(Consumer<TopicPartition> listener) {
        removalListeners.add(listener);
    }

    public TopicInfo topic(String name) {
        return metadata.image().topic(name).map(LogManager::info).orElse(null);
    }

    public TopicInfo topic(Uuid id) {
        return metadata.image().topic(id).map(LogManager::info).orElse(null);
    }

    public Collection<TopicInfo> topics() {
        return metadata.image().topics().values().stream().map(LogManager::info).toList();
    }

    public TopicMetadata topicMetadata(String name) {
        return metadata.image().topics().get(name);
    }

    private static TopicInfo info(TopicMetadata topic) {
        return new TopicInfo(topic.name(), topic.id(), topic.partitions().size(), topic.configs());
    }

    /** This broker's replica of the partition, or null when it holds none (or the partition does not exist). */
    public Partition partition(String topic, int partition) {
        return local.get(new TopicPartition(topic, partition));
    }

    public List<Partition> partitions() {
        return List.copyOf(local.values());
    }

    public Map<String, String> effectiveConfigs(TopicInfo topic) {
        return TopicConfigs.effective(config, topic.configs());
    }

    /** Checks a create request without changing anything (CreateTopics validateOnly, and the first step of create). */
    public Map<String, String> validateNewTopic(String name, int partitions, Map<String, String> overrides) {
        Topic.validate(name);
        ClusterImage image = metadata.image();
        if (image.topics().containsKey(name)) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        if (Topic.hasCollisionChars(name)) {
            for (String existing : image.topics().keySet()) {
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

    public TopicInfo createTopic(String name, int partitions, Map<String, String> overrides) {
        return createTopic(name, partitions, config.defaultReplicationFactor(), null, overrides);
    }

    /**
     * Creates a topic through the metadata quorum: replicas placed over the active brokers (rack-aware) unless
     * {@code assignment} gives them. Returns once this broker applied it.
     */
    public TopicInfo createTopic(String name, int partitions, short replicationFactor, List<List<Integer>> assignment, Map<String, String> overrides) {
        Map<String, String> normalised = validateNewTopic(name, partitions, overrides);
        ClusterImage image = metadata.image();
        List<List<Integer>> replicas = assignment != null ? checkAssignment(image, assignment)
                : ReplicaPlacement.place(image.activeBrokers(), partitions, replicationFactor, Math.floorMod(name.hashCode(), 1 << 16));
        List<PartitionState> states = replicas.stream().map(r -> PartitionState.initial(r, r, r.get(0))).toList();
        TopicMetadata topic = new TopicMetadata(name, Uuid.randomUuid(), normalised, states);
        commit(new MetadataRecord.CreateTopic(topic), TopicExistsException::new);
        LOG.info("Created topic {} ({}) with {} partition(s), replicas {} and configs {}", name, topic.id(), partitions, replicas, normalised);
        return info(topic);
    }

    private static List<List<Integer>> checkAssignment(ClusterImage image, List<List<Integer>> assignment) {
        for (List<Integer> replicas : assignment) {
            if (replicas.isEmpty() || replicas.stream().distinct().count() != replicas.size()) {
                throw new InvalidReplicaAssignmentException("Replica assignment " + replicas + " is empty or has duplicates.");
            }
            for (int broker : replicas) {
                if (!image.brokers().containsKey(broker)) {
                    throw new InvalidReplicaAssignmentException("Replica assignment " + replicas + " names broker " + broker + ", which is not registered.");
                }
            }
        }
        return assignment;
    }

    public void deleteTopic(String name) {
        if (!metadata.image().topics().containsKey(name)) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        commit(new MetadataRecord.DeleteTopic(name), UnknownTopicOrPartitionException::new);
        LOG.info("Deleted topic {}", name);
    }

    public TopicInfo createPartitions(String name, int total, List<List<Integer>> assignment, boolean validateOnly) {
        ClusterImage image = metadata.image();
        TopicMetadata topic = image.topics().get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        int current = topic.partitions().size();
        if (total <= current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is higher than or equal to the requested " + total + ".");
        }
        if (total > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS + ", got " + total + ".");
        }
        int replicationFactor = topic.partitions().get(0).targetReplicas().size();
        List<List<Integer>> replicas = assignment != null ? checkAssignment(image, assignment)
                : ReplicaPlacement.place(image.activeBrokers(), total - current, replicationFactor, Math.floorMod(name.hashCode(), 1 << 16) + current);
        if (replicas.size() != total - current) {
            throw new InvalidReplicaAssignmentException("Increasing the number of partitions by " + (total - current)
                    + " but " + replicas.size() + " assignments provided.");
        }
        TopicInfo updated = new TopicInfo(name, topic.id(), total, topic.configs());
        if (validateOnly) {
            return updated;
        }
        commit(new MetadataRecord.CreatePartitions(name, replicas.stream().map(r -> PartitionState.initial(r, r, r.get(0))).toList()),
                UnknownTopicOrPartitionException::new);
        LOG.info("Topic {} now has {} partitions", name, total);
        return updated;
    }

    /** Replaces a topic's overrides with {@code overrides} (already validated by the caller via {@link TopicConfigs#validate}). */
    public TopicInfo alterConfigs(String name, Map<String, String> overrides) {
        TopicMetadata topic = metadata.image().topics().get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        commit(new MetadataRecord.SetTopicConfigs(name, overrides), UnknownTopicOrPartitionException::new);
        LOG.info("Topic {} configs are now {}", name, overrides);
        return new TopicInfo(name, topic.id(), topic.partitions().size(), overrides);
    }

    /** Proposes a record and waits for it to apply here; a refusal becomes the exception {@code onError} makes. */
    public MetadataLog.Result commit(MetadataRecord record, java.util.function.Function<String, RuntimeException> onError) {
        MetadataLog.Result result;
        try {
            result = metadata.submit(record).get(METADATA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotControllerException("interrupted while waiting for the metadata quorum");
        } catch (ExecutionException | TimeoutException e) {
            throw new NotControllerException("the metadata quorum did not commit the change: " + e.getMessage());
        }
        if (!result.ok()) {
            throw onError.apply(result.error());
        }
        // reconcile at once so the caller sees local replicas of what it just created
        reconcileNow();
        return result;
    }

    private void reconcileNow() {
        try {
            reconciler.submit(() -> reconcile(metadata.image())).get(METADATA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Applying metadata locally failed", e);
        }
    }

    /** Brings the local replicas in line with {@code image}. Runs on the reconciler thread (or during open). */
    private synchronized void reconcile(ClusterImage image) {
        int self = config.nodeId();
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicMetadata topic : image.topics().values()) {
            Map<String, String> effective = TopicConfigs.effective(config, topic.configs());
            LogConfig logConfig = TopicConfigs.toLogConfig(effective);
            boolean compacted = TopicConfigs.isCompacted(effective);
            for (int p = 0; p < topic.partitions().size(); p++) {
                PartitionState state = topic.partitions().get(p);
                if (!state.replicas().contains(self)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), p);
                wanted.add(tp);
                Partition existing = local.get(tp);
                if (existing != null && !existing.topicId().equals(topic.id())) {
                    remove(tp); // the topic was deleted and created again under the same name
                    existing = null;
                }
                try {
                    if (existing == null) {
                        Partition created = open(tp, topic.id(), logConfig, compacted, state);
                        local.put(tp, created);
                        roleListeners.forEach(l -> l.accept(created));
                    } else {
                        if (!existing.log().config().equals(logConfig) || existing.compacted() != compacted) {
                            existing.reconfigure(logConfig, compacted);
                        }
                        if (!existing.state().equals(state)) {
                            Partition changed = existing;
                            changed.updateState(state);
                            roleListeners.forEach(l -> l.accept(changed));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("Cannot open the replica of {}", tp, e);
                }
            }
        }
        for (TopicPartition tp : List.copyOf(local.keySet())) {
            if (!wanted.contains(tp)) {
                remove(tp);
            }
        }
        if (!strayLogsChecked && image.brokers().containsKey(self)) {
            // once this broker's own registration is applied, the image is current enough to judge what is stray
            strayLogsChecked = true;
            deleteStrayLogs(wanted);
        }
    }

    private Partition open(TopicPartition tp, Uuid topicId, LogConfig logConfig, boolean compacted, PartitionState state) throws IOException {
        Path dir = logDir.resolve(tp.topic() + "-" + tp.partition());
        Path idFile = dir.resolve("partition.metadata");
        if (Files.exists(idFile) && !Files.readAllLines(idFile).contains("topic_id: " + topicId)) {
            LOG.warn("{} holds the log of an older topic with the same name; deleting it", dir);
            deleteRecursively(dir);
        }
        PartitionLog log = PartitionLog.open(dir, logConfig, clock);
        if (!Files.exists(idFile)) {
            Files.writeString(idFile, "version: 0\ntopic_id: " + topicId + "\n");
        }
        if (cleaner != null) {
            // every log is registered: the cleaner only touches those whose current config says compact, so a
            // later change of cleanup.policy needs no bookkeeping here
            cleaner.register(log);
        }
        return new Partition(tp, topicId, config.nodeId(), log, compacted, state);
    }

    private void remove(TopicPartition tp) {
        Partition partition = local.remove(tp);
        if (partition == null) {
            return;
        }
        removalListeners.forEach(l -> l.accept(tp));
        unregisterFromCleaner(partition.log());
        try {
            partition.log().delete();
            LOG.info("Deleted the local replica of {}", tp);
        } catch (IOException e) {
            LOG.warn("Deleting the local replica of {} failed", tp, e);
        }
    }

    /** Partition directories no topic in the metadata assigns here (left by a topic deleted while this broker was down). */
    private void deleteStrayLogs(Set<TopicPartition> wanted) {
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                int dash = name.lastIndexOf('-');
                if (!Files.isDirectory(dir) || dash <= 0 || name.startsWith("__strand_metadata") || !Files.exists(dir.resolve("partition.metadata"))) {
                    continue;
                }
                try {
                    TopicPartition tp = new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
                    if (!wanted.contains(tp) && !local.containsKey(tp)) {
                        LOG.warn("Deleting {}: no topic in the cluster metadata places a replica of it here", dir);
                        deleteRecursively(dir);
                    }
                } catch (NumberFormatException notAPartition) {
                    // some other directory
                }
            }
        } catch (IOException e) {
            LOG.warn("Looking for stray partition logs failed", e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
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
        reconciler.shutdownNow();
        if (cleaner != null) {
            cleaner.close(); // before the logs: a pass must not swap segments into a closing log
        }
        for (Partition partition : partitions()) {
            try {
                partition.log().close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing {} failed", partition.topicPartition(), e);
            }
        }
    }
}
