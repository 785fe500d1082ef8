package io.strand.operator.cluster.lifecycle;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Carries out a planner {@link Action}: the only place the lifecycle changes anything. */
public final class LifecycleExecutor {

    private static final Logger LOG = Logger.getLogger(LifecycleExecutor.class);
    private static final long TIMEOUT_SECONDS = 30;

    private LifecycleExecutor() {
    }

    /** @param admin may be null when the brokers were unreachable; the planner then asks for no broker action */
    public static void execute(Action action, String cluster, String namespace, Admin admin, KubernetesClient client) throws Exception {
        if (action instanceof Action.Reassign reassign) {
            Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
            reassign.targets().forEach((p, replicas) -> moves.put(topicPartition(p), Optional.of(new NewPartitionReassignment(replicas))));
            LOG.infof("KafkaCluster %s/%s: reassigning %s", namespace, cluster, reassign.targets());
            admin.alterPartitionReassignments(moves).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } else if (action instanceof Action.ElectPreferredLeaders elect) {
            Set<TopicPartition> partitions = elect.partitions().stream().map(LifecycleExecutor::topicPartition).collect(Collectors.toSet());
            LOG.infof("KafkaCluster %s/%s: electing preferred leaders of %s", namespace, cluster, elect.partitions());
            // per-partition failures (an election not needed any more, a leader not in sync yet) are retried by
            // the next plan, which looks at the partitions again
            admin.electLeaders(ElectionType.PREFERRED, partitions).partitions().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } else if (action instanceof Action.DeletePod delete) {
            LOG.infof("KafkaCluster %s/%s: restarting pod %s", namespace, cluster, delete.name());
            client.pods().inNamespace(namespace).withName(delete.name()).delete();
        } else if (action instanceof Action.Unregister unregister) {
            for (int broker : unregister.brokers()) {
                LOG.infof("KafkaCluster %s/%s: unregistering broker %d", namespace, cluster, broker);
                admin.unregisterBroker(broker).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static TopicPartition topicPartition(PartitionId id) {
        return new TopicPartition(id.topic(), id.partition());
    }
}
