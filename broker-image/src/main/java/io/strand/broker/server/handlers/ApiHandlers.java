package io.strand.broker.server.handlers;

import io.strand.broker.protocol.RequestDecoder;
import io.strand.broker.server.BrokerContext;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers this broker has, by API key: the single source of what ApiVersions advertises. Immutable. */
public final class ApiHandlers implements RequestDecoder.SupportedVersions {
    private final Map<ApiKeys, ApiHandler<?, ?>> byKey = new EnumMap<>(ApiKeys.class);

    public ApiHandlers(Collection<? extends ApiHandler<?, ?>> handlers) {
        for (ApiHandler<?, ?> handler : handlers) {
            ApiKeys key = handler.apiKey();
            if (handler.minVersion() < key.oldestVersion() || handler.maxVersion() > key.latestVersion(true)) {
                throw new IllegalArgumentException(key + " handler declares v" + handler.minVersion() + "-v" + handler.maxVersion()
                        + " outside the protocol's v" + key.oldestVersion() + "-v" + key.latestVersion(true));
            }
            if (byKey.put(key, handler) != null) {
                throw new IllegalArgumentException("two handlers for " + key);
            }
        }
    }

    /** Every API this broker serves. */
    public static ApiHandlers standard(BrokerContext context, BrokerMetrics metrics) {
        AtomicReference<ApiHandlers> self = new AtomicReference<>();
        ApiHandlers handlers = new ApiHandlers(List.of(
                new ApiVersionsHandler(self::get),
                new MetadataHandler(context),
                new ProduceHandler(context, metrics),
                new FetchHandler(context, metrics),
                new ListOffsetsHandler(context),
                new InitProducerIdHandler(context),
                new CreateTopicsHandler(context),
                new DeleteTopicsHandler(context),
                new CreatePartitionsHandler(context),
                new DescribeConfigsHandler(context),
                new IncrementalAlterConfigsHandler(context),
                new DescribeClusterHandler(context),
                new AlterPartitionReassignmentsHandler(context),
                new ListPartitionReassignmentsHandler(context),
                new ElectLeadersHandler(context),
                new UnregisterBrokerHandler(context),
                new DeleteRecordsHandler(context),
                new OffsetForLeaderEpochHandler(context),
                new FindCoordinatorHandler(context),
                new JoinGroupHandler(context),
                new SyncGroupHandler(context),
                new HeartbeatHandler(context),
                new LeaveGroupHandler(context),
                new OffsetCommitHandler(context),
                new OffsetFetchHandler(context),
                new ListGroupsHandler(context),
                new DescribeGroupsHandler(context),
                new DeleteGroupsHandler(context),
                new OffsetDeleteHandler(context),
                new ConsumerGroupHeartbeatHandler(context),
                new ConsumerGroupDescribeHandler(context)));
        self.set(handlers);
        return handlers;
    }

    @SuppressWarnings("unchecked")
    public ApiHandler<org.apache.kafka.common.protocol.ApiMessage, org.apache.kafka.common.protocol.ApiMessage> get(ApiKeys key) {
        return (ApiHandler<org.apache.kafka.common.protocol.ApiMessage, org.apache.kafka.common.protocol.ApiMessage>) byKey.get(key);
    }

    public Map<ApiKeys, ApiHandler<?, ?>> all() {
        return Collections.unmodifiableMap(byKey);
    }

    @Override
    public boolean supports(ApiKeys key, short version) {
        ApiHandler<?, ?> handler = byKey.get(key);
        return handler != null && version >= handler.minVersion() && version <= handler.maxVersion();
    }
}
