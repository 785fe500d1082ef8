package io.strand.broker.server.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Binary form of {@link MetadataRecord}s in the Raft log and of {@link ClusterImage} snapshots. Each record starts
 * with a type byte and a version byte, so records written by an older broker stay readable after an upgrade.
 * Thread-safe (stateless).
 */
public final class MetadataCodec {
    private static final byte VERSION = 0;
    private static final byte CLUSTER_STATE = 0;
    private static final byte REGISTER_BROKER = 1;
    private static final byte FENCE_BROKER = 2;
    private static final byte UNFENCE_BROKER = 3;
    private static final byte CONTROLLED_SHUTDOWN = 4;
    private static final byte UNREGISTER_BROKER = 5;
    private static final byte CREATE_TOPIC = 6;
    private static final byte DELETE_TOPIC = 7;
    private static final byte SET_TOPIC_CONFIGS = 8;
    private static final byte CREATE_PARTITIONS = 9;
    private static final byte ALTER_ISR = 10;
    private static final byte REASSIGN = 11;
    private static final byte ELECT_PREFERRED = 12;
    private static final byte ALLOCATE_PRODUCER_IDS = 13;

    private MetadataCodec() {
    }

    public static byte[] encode(MetadataRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MetadataRecord decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            return read(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt metadata record", e);
        }
    }

    /** An image as the records that rebuild it (what a Raft snapshot holds). */
    public static byte[] encodeImage(ClusterImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(image.offset());
            List<MetadataRecord> records = new ArrayList<>();
            records.add(new MetadataRecord.ClusterState(image.clusterId(), image.nextProducerId()));
            image.brokers().values().forEach(b -> records.add(new MetadataRecord.RegisterBroker(b)));
            image.topics().values().forEach(t -> records.add(new MetadataRecord.CreateTopic(t)));
            out.writeInt(records.size());
            for (MetadataRecord record : records) {
                write(out, record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ClusterImage decodeImage(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            long offset = in.readLong();
            int count = in.readInt();
            String clusterId = null;
            long nextProducerId = 0;
            Map<Integer, BrokerRegistration> brokers = new LinkedHashMap<>();
            Map<String, TopicMetadata> topics = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                MetadataRecord record = read(in);
                if (record instanceof MetadataRecord.ClusterState s) {
                    clusterId = s.clusterId();
                    nextProducerId = s.nextProducerId();
                } else if (record instanceof MetadataRecord.RegisterBroker r) {
                    // snapshots keep the registration exactly, fenced flag included (register() would re-fence it)
                    brokers.put(r.registration().id(), r.registration());
                } else if (record instanceof MetadataRecord.CreateTopic c) {
                    topics.put(c.topic().name(), c.topic());
                }
            }
            return new ClusterImage(offset, clusterId, brokers, topics, nextProducerId);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt metadata snapshot", e);
        }
    }

    private static void write(DataOutputStream out, MetadataRecord record) throws IOException {
        if (record instanceof MetadataRecord.ClusterState s) {
            header(out, CLUSTER_STATE);
            writeString(out, s.clusterId());
            out.writeLong(s.nextProducerId());
        } else if (record instanceof MetadataRecord.RegisterBroker r) {
            header(out, REGISTER_BROKER);
            BrokerRegistration b = r.registration();
            out.writeInt(b.id());
            writeString(out, b.host());
            out.writeInt(b.port());
            writeString(out, b.rack());
            out.writeLong(b.incarnation());
            out.writeBoolean(b.fenced());
            out.writeBoolean(b.shuttingDown());
        } else if (record instanceof MetadataRecord.FenceBroker f) {
            header(out, FENCE_BROKER);
            out.writeInt(f.brokerId());
            out.writeLong(f.incarnation());
        } else if (record instanceof MetadataRecord.UnfenceBroker u) {
            header(out, UNFENCE_BROKER);
            out.writeInt(u.brokerId());
            out.writeLong(u.incarnation());
        } else if (record instanceof MetadataRecord.ControlledShutdown c) {
            header(out, CONTROLLED_SHUTDOWN);
            out.writeInt(c.brokerId());
            out.writeLong(c.incarnation());
        } else if (record instanceof MetadataRecord.UnregisterBroker u) {
            header(out, UNREGISTER_BROKER);
            out.writeInt(u.brokerId());
        } else if (record instanceof MetadataRecord.CreateTopic c) {
            header(out, CREATE_TOPIC);
            TopicMetadata t = c.topic();
            writeString(out, t.name());
            out.writeLong(t.id().getMostSignificantBits());
            out.writeLong(t.id().getLeastSignificantBits());
            writeMap(out, t.configs());
            writePartitions(out, t.partitions());
        } else if (record instanceof MetadataRecord.DeleteTopic d) {
            header(out, DELETE_TOPIC);
            writeString(out, d.name());
        } else if (record instanceof MetadataRecord.SetTopicConfigs s) {
            header(out, SET_TOPIC_CONFIGS);
            writeString(out, s.name());
            writeMap(out, s.configs());
        } else if (record instanceof MetadataRecord.CreatePartitions c) {
            header(out, CREATE_PARTITIONS);
            writeString(out, c.name());
            writePartitions(out, c.added());
        } else if (record instanceof MetadataRecord.AlterIsr a) {
            header(out, ALTER_ISR);
            writeString(out, a.topic());
            out.writeInt(a.partition());
            out.writeInt(a.leader());
            out.writeInt(a.leaderEpoch());
            out.writeInt(a.partitionEpoch());
            writeInts(out, a.isr());
        } else if (record instanceof MetadataRecord.Reassign r) {
            header(out, REASSIGN);
            writeString(out, r.topic());
            out.writeInt(r.partition());
            out.writeBoolean(r.target() != null);
            if (r.target() != null) {
                writeInts(out, r.target());
            }
        } else if (record instanceof MetadataRecord.ElectPreferredLeader e) {
            header(out, ELECT_PREFERRED);
            writeString(out, e.topic());
            out.writeInt(e.partition());
        } else if (record instanceof MetadataRecord.AllocateProducerIds a) {
            header(out, ALLOCATE_PRODUCER_IDS);
            out.writeInt(a.count());
        } else {
            throw new IllegalArgumentException("unknown record " + record);
        }
    }

    private static MetadataRecord read(DataInputStream in) throws IOException {
        byte type = in.readByte();
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("metadata record type " + type + " has unknown version " + version);
        }
        return switch (type) {
            case CLUSTER_STATE -> new MetadataRecord.ClusterState(readString(in), in.readLong());
            case REGISTER_BROKER -> new MetadataRecord.RegisterBroker(new BrokerRegistration(in.readInt(), readString(in), in.readInt(),
                    readString(in), in.readLong(), in.readBoolean(), in.readBoolean()));
            case FENCE_BROKER -> new MetadataRecord.FenceBroker(in.readInt(), in.readLong());
            case UNFENCE_BROKER -> new MetadataRecord.UnfenceBroker(in.readInt(), in.readLong());
            case CONTROLLED_SHUTDOWN -> new MetadataRecord.ControlledShutdown(in.readInt(), in.readLong());
            case UNREGISTER_BROKER -> new MetadataRecord.UnregisterBroker(in.readInt());
            case CREATE_TOPIC -> new MetadataRecord.CreateTopic(new TopicMetadata(readString(in), new Uuid(in.readLong(), in.readLong()),
                    readMap(in), readPartitions(in)));
            case DELETE_TOPIC -> new MetadataRecord.DeleteTopic(readString(in));
            case SET_TOPIC_CONFIGS -> new MetadataRecord.SetTopicConfigs(readString(in), readMap(in));
            case CREATE_PARTITIONS -> new MetadataRecord.CreatePartitions(readString(in), readPartitions(in));
            case ALTER_ISR -> new MetadataRecord.AlterIsr(readString(in), in.readInt(), in.readInt(), in.readInt(), in.readInt(), readInts(in));
            case REASSIGN -> {
                String topic = readString(in);
                int partition = in.readInt();
                yield new MetadataRecord.Reassign(topic, partition, in.readBoolean() ? readInts(in) : null);
            }
            case ELECT_PREFERRED -> new MetadataRecord.ElectPreferredLeader(readString(in), in.readInt());
            case ALLOCATE_PRODUCER_IDS -> new MetadataRecord.AllocateProducerIds(in.readInt());
            default -> throw new IOException("unknown metadata record type " + type);
        };
    }

    private static void header(DataOutputStream out, byte type) throws IOException {
        out.writeByte(type);
        out.writeByte(VERSION);
    }

    private static void writePartitions(DataOutputStream out, List<PartitionState> partitions) throws IOException {
        out.writeInt(partitions.size());
        for (PartitionState p : partitions) {
            writeInts(out, p.replicas());
            writeInts(out, p.isr());
            out.writeInt(p.leader());
            out.writeInt(p.leaderEpoch());
            out.writeInt(p.partitionEpoch());
            writeInts(out, p.adding());
            writeInts(out, p.removing());
        }
    }

    private static List<PartitionState> readPartitions(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<PartitionState> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(new PartitionState(readInts(in), readInts(in), in.readInt(), in.readInt(), in.readInt(), readInts(in), readInts(in)));
        }
        return partitions;
    }

    private static void writeInts(DataOutputStream out, List<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static List<Integer> readInts(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<Integer> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(in.readInt());
        }
        return values;
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int count = in.readInt();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
