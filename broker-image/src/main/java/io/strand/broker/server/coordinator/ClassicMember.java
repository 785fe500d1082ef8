package io.strand.broker.server.coordinator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** One member of a classic group. Not thread-safe: guarded by the shard's lock. */
final class ClassicMember {
    final String memberId;
    final String instanceId;
    final String clientId;
    final String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    /** Protocol name to metadata, in the member's order of preference. */
    Map<String, byte[]> protocols;
    byte[] assignment = new byte[0];

    // Transient: a pending JoinGroup/SyncGroup response, and the session timer.
    CompletableFuture<JoinGroupResponseData> joinFuture;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> syncFuture;
    ScheduledFuture<?> sessionTimer;

    ClassicMember(String memberId, String instanceId, String clientId, String clientHost, int rebalanceTimeoutMs, int sessionTimeoutMs,
                  Map<String, byte[]> protocols) {
        this.memberId = memberId;
        this.instanceId = instanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = new LinkedHashMap<>(protocols);
    }

    /** A copy under a new member id (a restarted static member takes over the old one's assignment). */
    ClassicMember withId(String newId, String clientId, String clientHost) {
        ClassicMember copy = new ClassicMember(newId, instanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocols);
        copy.assignment = assignment;
        return copy;
    }

    boolean matches(Map<String, byte[]> other) {
        if (!protocols.keySet().equals(other.keySet())) {
            return false;
        }
        var names = protocols.keySet().iterator();
        var otherNames = other.keySet().iterator();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals(otherNames.next()) || !Arrays.equals(protocols.get(name), other.get(name))) {
                return false;
            }
        }
        return true;
    }

    byte[] metadata(String protocol) {
        byte[] metadata = protocols.get(protocol);
        return metadata == null ? new byte[0] : metadata;
    }

    boolean isAwaitingJoin() {
        return joinFuture != null;
    }
}
