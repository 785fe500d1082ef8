package io.strand.broker.server.coordinator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The records of {@code __consumer_offsets}. Keys identify what a record is about, so compaction keeps the latest
 * record per key; a null value (tombstone) deletes it:
 * <ul>
 *   <li>type 1, offset commit: {@code int16 1, string group, string topic, int32 partition}</li>
 *   <li>type 2, classic group: {@code int16 2, string group}</li>
 *   <li>type 3, consumer (KIP-848) group: {@code int16 3, string group}</li>
 * </ul>
 * Values start with an int16 version (0 here) so fields can be added later; a reader skips versions it does not know.
 * Strings are int16-length-prefixed UTF-8 (-1 = null), byte arrays int32-length-prefixed. Group values are whole
 * snapshots (members, generation/epochs, assignments): one record restores the group. Stateless and thread-safe.
 */
final class CoordinatorRecords {
    static final short OFFSET = 1;
    static final short CLASSIC_GROUP = 2;
    static final short CONSUMER_GROUP = 3;
    private static final short VERSION = 0;

    private CoordinatorRecords() {
    }

    /** A committed offset as stored and returned by OffsetFetch. */
    record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
    }

    /** A decoded key: the record type, the group and, for offsets, the partition. */
    record Key(short type, String groupId, TopicPartition partition) {
    }

    static byte[] offsetKey(String groupId, TopicPartition tp) {
        return write(out -> {
            out.writeShort(OFFSET);
            string(out, groupId);
            string(out, tp.topic());
            out.writeInt(tp.partition());
        });
    }

    static byte[] groupKey(short type, String groupId) {
        return write(out -> {
            out.writeShort(type);
            string(out, groupId);
        });
    }

    static Key readKey(ByteBuffer key) {
        ByteBuffer in = key.duplicate();
        short type = in.getShort();
        String group = string(in);
        if (type == OFFSET) {
            return new Key(type, group, new TopicPartition(string(in), in.getInt()));
        }
        return new Key(type, group, null);
    }

    static byte[] offsetValue(CommittedOffset offset) {
        return write(out -> {
            out.writeShort(VERSION);
            out.writeLong(offset.offset());
            out.writeInt(offset.leaderEpoch());
            string(out, offset.metadata());
            out.writeLong(offset.commitTimestamp());
        });
    }

    /** Null when the value's version is newer than this broker understands. */
    static CommittedOffset readOffset(ByteBuffer value) {
        ByteBuffer in = value.duplicate();
        if (in.getShort() != VERSION) {
            return null;
        }
        return new CommittedOffset(in.getLong(), in.getInt(), string(in), in.getLong());
    }

    static byte[] classicGroupValue(ClassicGroup group) {
        return write(out -> {
            out.writeShort(VERSION);
            string(out, group.protocolType);
            out.writeInt(group.generationId);
            string(out, group.protocolName);
            string(out, group.leaderId);
            out.writeLong(group.stateTimestamp());
            out.writeInt(group.members.size());
            for (ClassicMember m : group.members.values()) {
                string(out, m.memberId);
                string(out, m.instanceId);
                string(out, m.clientId);
                string(out, m.clientHost);
                out.writeInt(m.rebalanceTimeoutMs);
                out.writeInt(m.sessionTimeoutMs);
                out.writeInt(m.protocols.size());
                for (Map.Entry<String, byte[]> p : m.protocols.entrySet()) {
                    string(out, p.getKey());
                    bytes(out, p.getValue());
                }
                bytes(out, m.assignment);
            }
        });
    }

    /** A group restored from its snapshot: Stable with its last generation when it has members, else Empty. */
    static ClassicGroup readClassicGroup(String groupId, ByteBuffer value) {
        ByteBuffer in = value.duplicate();
        if (in.getShort() != VERSION) {
            return null;
        }
        String protocolType = string(in);
        int generation = in.getInt();
        String protocolName = string(in);
        String leader = string(in);
        long stateTimestamp = in.getLong();
        ClassicGroup group = new ClassicGroup(groupId, stateTimestamp);
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            String memberId = string(in);
            String instanceId = string(in);
            String clientId = string(in);
            String clientHost = string(in);
            int rebalanceTimeout = in.getInt();
            int sessionTimeout = in.getInt();
            int protocols = in.getInt();
            Map<String, byte[]> metadata = new LinkedHashMap<>();
            for (int p = 0; p < protocols; p++) {
                metadata.put(string(in), bytes(in));
            }
            ClassicMember member = new ClassicMember(memberId, instanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, metadata);
            member.assignment = bytes(in);
            group.add(member, protocolType);
        }
        group.protocolType = protocolType;
        group.generationId = generation;
        group.protocolName = protocolName;
        group.leaderId = count == 0 ? null : leader;
        group.restore(count == 0 ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE, stateTimestamp);
        return group;
    }

    static byte[] consumerGroupValue(ConsumerGroup group) {
        return write(out -> {
            out.writeShort(VERSION);
            out.writeInt(group.groupEpoch);
            out.writeInt(group.assignmentEpoch);
            string(out, group.assignorName);
            out.writeLong(group.stateTimestamp());
            out.writeInt(group.subscriptionMetadata.size());
            for (var e : new TreeMap<>(group.subscriptionMetadata).entrySet()) {
                string(out, e.getKey());
                uuid(out, e.getValue().id());
                out.writeInt(e.getValue().partitions());
            }
            out.writeInt(group.members.size());
            for (ConsumerMember m : group.members.values()) {
                string(out, m.memberId);
                string(out, m.instanceId);
                string(out, m.rackId);
                string(out, m.clientId);
                string(out, m.clientHost);
                out.writeInt(m.rebalanceTimeoutMs);
                out.writeInt(m.subscribedTopicNames.size());
                for (String topic : m.subscribedTopicNames) {
                    string(out, topic);
                }
                string(out, m.subscribedTopicRegex);
                string(out, m.serverAssignor);
                out.writeInt(m.memberEpoch);
                out.writeInt(m.previousMemberEpoch);
                out.writeByte(m.state.ordinal());
                partitions(out, m.assigned);
                partitions(out, m.pendingRevocation);
                partitions(out, group.targetAssignment.getOrDefault(m.memberId, Map.of()));
            }
        });
    }

    static ConsumerGroup readConsumerGroup(String groupId, ByteBuffer value) {
        ByteBuffer in = value.duplicate();
        if (in.getShort() != VERSION) {
            return null;
        }
        int groupEpoch = in.getInt();
        int assignmentEpoch = in.getInt();
        String assignor = string(in);
        long stateTimestamp = in.getLong();
        ConsumerGroup group = new ConsumerGroup(groupId, stateTimestamp);
        group.groupEpoch = groupEpoch;
        group.assignmentEpoch = assignmentEpoch;
        group.assignorName = assignor;
        int topics = in.getInt();
        Map<String, ConsumerGroup.TopicMetadata> metadata = new LinkedHashMap<>();
        for (int i = 0; i < topics; i++) {
            metadata.put(string(in), new ConsumerGroup.TopicMetadata(uuid(in), in.getInt()));
        }
        group.subscriptionMetadata = metadata;
        int members = in.getInt();
        for (int i = 0; i < members; i++) {
            ConsumerMember m = new ConsumerMember(string(in));
            m.instanceId = string(in);
            m.rackId = string(in);
            m.clientId = string(in);
            m.clientHost = string(in);
            m.rebalanceTimeoutMs = in.getInt();
            int subscribed = in.getInt();
            List<String> names = new ArrayList<>();
            for (int t = 0; t < subscribed; t++) {
                names.add(string(in));
            }
            m.subscribedTopicNames = List.copyOf(names);
            m.subscribedTopicRegex = string(in);
            m.serverAssignor = string(in);
            m.memberEpoch = in.getInt();
            m.previousMemberEpoch = in.getInt();
            m.state = ConsumerMember.State.values()[in.get()];
            m.assigned = partitions(in);
            m.pendingRevocation = partitions(in);
            group.targetAssignment.put(m.memberId, partitions(in));
            group.members.put(m.memberId, m);
        }
        group.updateStateTimestamp(stateTimestamp);
        return group;
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string of " + utf8.length + " bytes is too long to store");
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String string(ByteBuffer in) {
        short length = in.getShort();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b;
    }

    private static void uuid(DataOutputStream out, Uuid id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static Uuid uuid(ByteBuffer in) {
        return new Uuid(in.getLong(), in.getLong());
    }

    private static void partitions(DataOutputStream out, Map<Uuid, Set<Integer>> partitions) throws IOException {
        out.writeInt(partitions.size());
        for (var e : new TreeMap<>(partitions).entrySet()) {
            uuid(out, e.getKey());
            out.writeInt(e.getValue().size());
            for (int p : new TreeSet<>(e.getValue())) {
                out.writeInt(p);
            }
        }
    }

    private static Map<Uuid, Set<Integer>> partitions(ByteBuffer in) {
        int topics = in.getInt();
        Map<Uuid, Set<Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < topics; i++) {
            Uuid id = uuid(in);
            int count = in.getInt();
            Set<Integer> parts = new TreeSet<>();
            for (int p = 0; p < count; p++) {
                parts.add(in.getInt());
            }
            out.put(id, Set.copyOf(parts));
        }
        return out;
    }
}
