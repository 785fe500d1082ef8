package io.strand.operator.cluster.lifecycle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/** Reads a {@link KafkaState} through the Admin API; every call bounded, so a dead cluster cannot stall a reconcile. */
public final class KafkaObserver {

    private static final long TIMEOUT_SECONDS = 10;

    private KafkaObserver() {
    }

    public static KafkaState observe(Admin admin) throws Exception {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)
                .timeoutMs((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)));
        String clusterId = cluster.clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<Integer, KafkaState.Broker> brokers = new HashMap<>();
        for (Node node : cluster.nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            brokers.put(node.id(), new KafkaState.Broker(node.id(), node.rack(), node.isFenced()));
        }
        Node controller = cluster.controller().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, TopicDescription> descriptions = topics.isEmpty() ? Map.of()
                : admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<KafkaState.Partition> partitions = new ArrayList<>();
        for (TopicDescription topic : descriptions.values()) {
            for (TopicPartitionInfo p : topic.partitions()) {
                partitions.add(new KafkaState.Partition(new PartitionId(topic.name(), p.partition()), ids(p.replicas()), ids(p.isr()),
                        p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()));
            }
        }
        Set<PartitionId> reassigning = admin.listPartitionReassignments().reassignments().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .keySet().stream().map(tp -> new PartitionId(tp.topic(), tp.partition())).collect(Collectors.toSet());
        return new KafkaState(clusterId, controller == null || controller.isEmpty() ? -1 : controller.id(), brokers, partitions, reassigning);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }
}
