package io.strand.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import io.strand.broker.protocol.ClientCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated frames on many connections: each bad connection may be closed, but the broker stays up and
 * keeps serving well-behaved clients. The seed is printed so a failure can be replayed.
 */
class ProtocolFuzzIT {
    private static final int THREADS = 6;
    private static final int CONNECTIONS_PER_THREAD = 60;
    private static final int FRAMES_PER_CONNECTION = 8;

    @Test
    void brokerSurvivesGarbageAndKeepsServing(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("ProtocolFuzzIT seed " + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), Map.of("socket.request.max.bytes", Integer.toString(10 * 1024 * 1024)))) {
            List<byte[]> seeds = validRequests();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            java.util.concurrent.atomic.AtomicInteger closedByBroker = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger attempted = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(THREADS);
            List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random random = new Random(seed + t);
                workers.add(pool.submit(() -> {
                    for (int c = 0; c < CONNECTIONS_PER_THREAD && System.nanoTime() < deadline; c++) {
                        attempted.incrementAndGet();
                        if (abuseOneConnection(broker.port(), random, seeds)) {
                            closedByBroker.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> worker : workers) {
                worker.get(90, TimeUnit.SECONDS);
            }
            pool.shutdown();
            System.out.println("connections closed by the broker: " + closedByBroker + " of " + attempted);
            assertThat(closedByBroker.get()).as("garbage gets connections closed").isGreaterThan(attempted.get() / 2);
            assertThat(broker.isAlive()).isTrue();
            stillServes(broker);
            assertThat(broker.logs()).contains("Closing connection from");
        }
    }

    /** Sends a few bad frames on a fresh connection; true when the broker closed it. */
    private static boolean abuseOneConnection(int port, Random random, List<byte[]> seeds) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(50);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            int frames = 1 + random.nextInt(FRAMES_PER_CONNECTION);
            for (int f = 0; f < frames; f++) {
                out.write(frame(random, seeds));
                out.flush();
                drain(in);
            }
            return closedAfterwards(in);
        } catch (IOException closed) {
            return true;
        }
    }

    private static void stillServes(BrokerProcess broker) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap());
             KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of());
             KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            admin.listTopics().names().get(10, TimeUnit.SECONDS);
            long offset = producer.send(new ProducerRecord<>("after-fuzz", 0, "k", "still here")).get(10, TimeUnit.SECONDS).offset();
            assertThat(offset).isZero();
            assertThat(Clients.readAll(consumer, new TopicPartition("after-fuzz", 0), 1, Duration.ofSeconds(15)))
                    .extracting(r -> r.value()).containsExactly("still here");
        }
    }

    private static byte[] frame(Random random, List<byte[]> seeds) {
        switch (random.nextInt(6)) {
            case 0: { // pure noise with a plausible length
                byte[] body = new byte[random.nextInt(200)];
                random.nextBytes(body);
                return withLength(body.length, body);
            }
            case 1: { // absurd or negative declared length
                int[] lengths = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 200 * 1024 * 1024, 0, 3};
                return ByteBuffer.allocate(4).putInt(lengths[random.nextInt(lengths.length)]).array();
            }
            case 2: { // valid header shape, unknown key or version
                ByteBuffer b = ByteBuffer.allocate(14).putShort((short) (random.nextInt(400) - 100)).putShort((short) (random.nextInt(40) - 5))
                        .putInt(random.nextInt()).putShort((short) -1).putInt(random.nextInt());
                return withLength(b.capacity(), b.array());
            }
            case 3: { // a valid request cut short
                byte[] valid = seeds.get(random.nextInt(seeds.size()));
                int cut = 4 + random.nextInt(Math.max(1, valid.length - 4));
                byte[] body = java.util.Arrays.copyOfRange(valid, 4, cut);
                return withLength(body.length, body);
            }
            default: { // a valid request with a few bytes flipped
                byte[] mutated = seeds.get(random.nextInt(seeds.size())).clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = 4 + random.nextInt(mutated.length - 4);
                    mutated[at] = (byte) random.nextInt(256);
                }
                return mutated;
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        try {
            while (in.available() > 0) {
                if (in.read(sink) < 0) {
                    throw new IOException("closed");
                }
            }
        } catch (java.net.SocketTimeoutException ignored) {
            // nothing to read
        }
    }

    /** Waits briefly for the broker to close the connection (end of stream). */
    private static boolean closedAfterwards(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (System.nanoTime() < until) {
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // keep waiting until the deadline
            }
        }
        return false;
    }

    private static byte[] withLength(int length, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(length).put(body).array();
    }

    private static List<byte[]> validRequests() {
        List<byte[]> requests = new ArrayList<>();
        requests.add(encode(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1")));
        requests.add(encode(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(
                List.of(new MetadataRequestData.MetadataRequestTopic().setName("fuzz-topic"))).setAllowAutoTopicCreation(true)));
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes()));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName("fuzz-topic").setPartitionData(
                List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        requests.add(encode(ApiKeys.PRODUCE, (short) 9, new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000).setTopicData(topics)));
        requests.add(encode(ApiKeys.FETCH, (short) 12, new FetchRequestData().setMaxWaitMs(10).setMinBytes(1).setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("fuzz-topic").setPartitions(
                        List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)))))));
        requests.add(encode(ApiKeys.LIST_OFFSETS, (short) 7, new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName("fuzz-topic").setPartitions(
                        List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))))));
        return requests;
    }

    private static byte[] encode(ApiKeys key, short version, ApiMessage body) {
        return ClientCodec.encodeRequest(key, version, 1, "fuzz", body).array();
    }
}
