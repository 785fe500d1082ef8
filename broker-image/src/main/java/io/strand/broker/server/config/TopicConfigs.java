package io.strand.broker.server.config;

import io.strand.broker.storage.LogConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Topic-level configuration: which keys exist, their types and valid values, the broker key each one defaults
 * from, and the conversion to the storage layer's {@link LogConfig}. Topics store only their overrides. Thread-safe.
 */
public final class TopicConfigs {
    /** Topic key → broker key supplying its default. */
    private static final Map<String, String> BROKER_DEFAULTS = new LinkedHashMap<>();

    /** Topic key → default of keys with no broker-level counterpart. */
    private static final Map<String, String> FIXED_DEFAULTS = new LinkedHashMap<>();

    private static final ConfigDef DEFINITION = new ConfigDef();

    static {
        define(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, ValidList.in(TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.CLEANUP_POLICY_COMPACT),
                BrokerConfig.LOG_CLEANUP_POLICY, TopicConfig.CLEANUP_POLICY_DOC);
        define(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, Range.atLeast(-1), BrokerConfig.LOG_RETENTION_MS, TopicConfig.RETENTION_MS_DOC);
        define(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, null, BrokerConfig.LOG_RETENTION_BYTES, TopicConfig.RETENTION_BYTES_DOC);
        define(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, Range.atLeast(14), BrokerConfig.LOG_SEGMENT_BYTES, TopicConfig.SEGMENT_BYTES_DOC);
        define(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, Range.atLeast(1), BrokerConfig.LOG_ROLL_MS, TopicConfig.SEGMENT_MS_DOC);
        define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, Range.atLeast(4), BrokerConfig.LOG_INDEX_SIZE_MAX_BYTES, TopicConfig.SEGMENT_INDEX_BYTES_DOC);
        define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, Range.atLeast(0), BrokerConfig.LOG_INDEX_INTERVAL_BYTES, TopicConfig.INDEX_INTERVAL_BYTES_DOC);
        define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, Range.atLeast(0), BrokerConfig.MESSAGE_MAX_BYTES, TopicConfig.MAX_MESSAGE_BYTES_DOC);
        define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Range.atLeast(1), BrokerConfig.LOG_FLUSH_INTERVAL_MESSAGES, TopicConfig.FLUSH_MESSAGES_INTERVAL_DOC);
        define(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, Range.atLeast(0), BrokerConfig.LOG_FLUSH_INTERVAL_MS, TopicConfig.FLUSH_MS_DOC);
        define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, ValidString.in("CreateTime", "LogAppendTime"),
                BrokerConfig.LOG_MESSAGE_TIMESTAMP_TYPE, TopicConfig.MESSAGE_TIMESTAMP_TYPE_DOC);
        define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, Range.atLeast(0), BrokerConfig.LOG_DELETE_DELAY_MS, TopicConfig.FILE_DELETE_DELAY_MS_DOC);
        define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, Range.atLeast(1), BrokerConfig.MIN_INSYNC_REPLICAS, TopicConfig.MIN_IN_SYNC_REPLICAS_DOC);
        define(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING,
                ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), BrokerConfig.COMPRESSION_TYPE, TopicConfig.COMPRESSION_TYPE_DOC);
        // The compaction settings drive the log cleaner (see toLogConfig); the timestamp, election and preallocate keys are
        // accepted and reported so tools that set them work.
        defineFixed(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, Range.atLeast(0), "86400000", TopicConfig.DELETE_RETENTION_MS_DOC);
        defineFixed(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, Range.between(0, 1), "0.5", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC);
        defineFixed(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, Range.atLeast(0), "0", TopicConfig.MIN_COMPACTION_LAG_MS_DOC);
        defineFixed(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Range.atLeast(1), Long.toString(Long.MAX_VALUE), TopicConfig.MAX_COMPACTION_LAG_MS_DOC);
        defineFixed(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Range.atLeast(0), Long.toString(Long.MAX_VALUE), TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC);
        defineFixed(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, Range.atLeast(0), Long.toString(Long.MAX_VALUE), TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC);
        defineFixed(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, null, "false", TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_DOC);
        defineFixed(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, null, "false", TopicConfig.PREALLOCATE_DOC);
    }

    private TopicConfigs() {
    }

    private static void define(String name, Type type, ConfigDef.Validator validator, String brokerKey, String doc) {
        DEFINITION.define(name, type, ConfigDef.NO_DEFAULT_VALUE, validator, Importance.MEDIUM, doc);
        BROKER_DEFAULTS.put(name, brokerKey);
    }

    private static void defineFixed(String name, Type type, ConfigDef.Validator validator, String defaultValue, String doc) {
        DEFINITION.define(name, type, ConfigDef.NO_DEFAULT_VALUE, validator, Importance.LOW, doc);
        FIXED_DEFAULTS.put(name, defaultValue);
    }

    public static boolean isKnown(String name) {
        return DEFINITION.configKeys().containsKey(name);
    }

    public static ConfigDef.Type typeOf(String name) {
        return DEFINITION.configKeys().get(name).type;
    }

    public static String docOf(String name) {
        return DEFINITION.configKeys().get(name).documentation;
    }

    public static List<String> names() {
        return List.copyOf(DEFINITION.configKeys().keySet());
    }

    /** The broker key a topic key defaults from, or null when it has a fixed default. */
    public static String brokerKeyFor(String name) {
        return BROKER_DEFAULTS.get(name);
    }

    /**
     * Validates topic overrides, returning them normalised.
     *
     * @throws ConfigException naming the key and what is wrong
     */
    public static Map<String, String> validate(Map<String, String> overrides) {
        Map<String, String> normalised = new LinkedHashMap<>();
        overrides.forEach((name, value) -> {
            ConfigDef.ConfigKey key = DEFINITION.configKeys().get(name);
            if (key == null) {
                throw new ConfigException("Unknown topic config name: " + name);
            }
            if (value == null) {
                throw new ConfigException(name, null, "a value is required");
            }
            Object parsed = ConfigDef.parseType(name, value.trim(), key.type);
            if (key.validator != null) {
                key.validator.ensureValid(name, parsed);
            }
            normalised.put(name, ConfigDef.convertToString(parsed, key.type));
        });
        return normalised;
    }

    /** Every topic key with its effective value: the override if any, else the broker's default. */
    public static Map<String, String> effective(BrokerConfig broker, Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : DEFINITION.configKeys().keySet()) {
            out.put(name, overrides.containsKey(name) ? overrides.get(name) : defaultValue(broker, name));
        }
        return out;
    }

    public static String defaultValue(BrokerConfig broker, String name) {
        String brokerKey = BROKER_DEFAULTS.get(name);
        if (brokerKey == null) {
            return FIXED_DEFAULTS.get(name);
        }
        Object value = broker.get(brokerKey);
        return value == null ? null : ConfigDef.convertToString(value, BrokerConfig.definition().configKeys().get(brokerKey).type);
    }

    public static boolean isCompacted(Map<String, String> effective) {
        return List.of(effective.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "delete").split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * The storage settings of a topic. A policy without {@code delete} (compact only) turns time and size retention off,
     * as in Kafka: a compacted topic keeps the latest value of every key however old.
     */
    public static LogConfig toLogConfig(Map<String, String> effective) {
        LogConfig config = toLogConfigIgnoringPolicy(effective);
        boolean delete = List.of(effective.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "delete").split(","))
                .contains(TopicConfig.CLEANUP_POLICY_DELETE);
        return delete ? config : config.withRetentionMs(-1).withRetentionBytes(-1);
    }

    private static LogConfig toLogConfigIgnoringPolicy(Map<String, String> effective) {
        return LogConfig.defaults()
                .withSegmentBytes(Long.parseLong(effective.get(TopicConfig.SEGMENT_BYTES_CONFIG)))
                .withSegmentMs(Long.parseLong(effective.get(TopicConfig.SEGMENT_MS_CONFIG)))
                .withRetentionMs(Long.parseLong(effective.get(TopicConfig.RETENTION_MS_CONFIG)))
                .withRetentionBytes(Long.parseLong(effective.get(TopicConfig.RETENTION_BYTES_CONFIG)))
                .withIndexIntervalBytes(Integer.parseInt(effective.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG)))
                .withSegmentIndexBytes(Integer.parseInt(effective.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG)))
                .withFlushIntervalMessages(Long.parseLong(effective.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG)))
                .withFlushIntervalMs(Long.parseLong(effective.get(TopicConfig.FLUSH_MS_CONFIG)))
                .withMaxBatchBytes(Integer.parseInt(effective.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)))
                .withLogAppendTime("LogAppendTime".equals(effective.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)))
                .withFileDeleteDelayMs(Long.parseLong(effective.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG)))
                .withCompact(isCompacted(effective))
                .withDeleteRetentionMs(Long.parseLong(effective.get(TopicConfig.DELETE_RETENTION_MS_CONFIG)))
                .withMinCleanableDirtyRatio(Double.parseDouble(effective.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG)))
                .withMinCompactionLagMs(Long.parseLong(effective.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG)))
                .withMaxCompactionLagMs(Long.parseLong(effective.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG)));
    }
}
