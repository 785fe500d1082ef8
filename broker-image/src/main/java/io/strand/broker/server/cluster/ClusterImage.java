package io.strand.broker.server.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The cluster metadata at one point of the metadata log: brokers, topics with their partitions' leaders and ISRs, and
 * the producer id counter. Immutable; {@link #apply} returns the next image. Pure and deterministic, which is what
 * lets every broker replay the log to the same state.
 */
public record ClusterImage(long offset, String clusterId, Map<Integer, BrokerRegistration> brokers, Map<String, TopicMetadata> topics,
                           long nextProducerId) {
    public ClusterImage {
        brokers = Collections.unmodifiableMap(new TreeMap<>(brokers));
        topics = Collections.unmodifiableMap(new TreeMap<>(topics));
    }

    public static ClusterImage empty() {
        return new ClusterImage(-1, null, Map.of(), Map.of(), 0);
    }

    /** The outcome of applying a record: the next image, and for the proposer either an error or a value. */
    public record Applied(ClusterImage image, String error, Object value) {
        public boolean ok() {
            return error == null;
        }
    }

    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Optional<TopicMetadata> topic(Uuid id) {
        return topics.values().stream().filter(t -> t.id().equals(id)).findFirst();
    }

    public List<BrokerRegistration> activeBrokers() {
        return brokers.values().stream().filter(BrokerRegistration::active).toList();
    }

    public boolean isActive(int brokerId) {
        BrokerRegistration b = brokers.get(brokerId);
        return b != null && b.active();
    }

    /** Partitions with a replica on {@code brokerId}, as "topic-partition" pairs. */
    public int replicaCount(int brokerId) {
        int count = 0;
        for (TopicMetadata t : topics.values()) {
            for (PartitionState p : t.partitions()) {
                if (p.replicas().contains(brokerId)) {
                    count++;
                }
            }
        }
        return count;
    }

    public Applied apply(long atOffset, MetadataRecord record) {
        Applied applied = dispatch(record);
        ClusterImage next = applied.image();
        return new Applied(new ClusterImage(atOffset, next.clusterId(), next.brokers(), next.topics(), next.nextProducerId()), applied.error(), applied.value());
    }

    private Applied dispatch(MetadataRecord record) {
        if (record instanceof MetadataRecord.ClusterState s) {
            return ok(new ClusterImage(offset, clusterId == null ? s.clusterId() : clusterId, brokers, topics,
                    Math.max(nextProducerId, s.nextProducerId())), null);
        } else if (record instanceof MetadataRecord.RegisterBroker r) {
            return register(r.registration());
        } else if (record instanceof MetadataRecord.FenceBroker f) {
            return sameIncarnation(f.brokerId(), f.incarnation())
                    ? ok(withBroker(brokers.get(f.brokerId()).withFenced(true)).removeFromIsrs(f.brokerId()), null)
                    : error("broker " + f.brokerId() + " incarnation " + f.incarnation() + " is not registered");
        } else if (record instanceof MetadataRecord.UnfenceBroker u) {
            return sameIncarnation(u.brokerId(), u.incarnation())
                    ? ok(withBroker(brokers.get(u.brokerId()).withFenced(false)).electLeaderless(), null)
                    : error("broker " + u.brokerId() + " incarnation " + u.incarnation() + " is not registered");
        } else if (record instanceof MetadataRecord.ControlledShutdown c) {
            return sameIncarnation(c.brokerId(), c.incarnation())
                    ? ok(withBroker(brokers.get(c.brokerId()).withShuttingDown(true)).removeFromIsrs(c.brokerId()), null)
                    : error("broker " + c.brokerId() + " incarnation " + c.incarnation() + " is not registered");
        } else if (record instanceof MetadataRecord.UnregisterBroker u) {
            return unregister(u.brokerId());
        } else if (record instanceof MetadataRecord.CreateTopic c) {
            return createTopic(c.topic());
        } else if (record instanceof MetadataRecord.DeleteTopic d) {
            return topics.containsKey(d.name()) ? ok(withoutTopic(d.name()), topics.get(d.name()).id()) : error("Topic '" + d.name() + "' does not exist.");
        } else if (record instanceof MetadataRecord.SetTopicConfigs s) {
            return topics.containsKey(s.name()) ? ok(withTopic(topics.get(s.name()).withConfigs(s.configs())), null)
                    : error("Topic '" + s.name() + "' does not exist.");
        } else if (record instanceof MetadataRecord.CreatePartitions c) {
            return createPartitions(c.name(), c.added());
        } else if (record instanceof MetadataRecord.AlterIsr a) {
            return alterIsr(a);
        } else if (record instanceof MetadataRecord.Reassign r) {
            return reassign(r.topic(), r.partition(), r.target());
        } else if (record instanceof MetadataRecord.ElectPreferredLeader e) {
            return electPreferred(e.topic(), e.partition());
        } else if (record instanceof MetadataRecord.AllocateProducerIds a) {
            return ok(new ClusterImage(offset, clusterId, brokers, topics, nextProducerId + a.count()), nextProducerId);
        }
        throw new IllegalArgumentException("unknown metadata record " + record);
    }

    private Applied ok(ClusterImage next, Object value) {
        return new Applied(next, null, value);
    }

    private Applied error(String message) {
        return new Applied(this, message, null);
    }

    private boolean sameIncarnation(int brokerId, long incarnation) {
        BrokerRegistration b = brokers.get(brokerId);
        return b != null && b.incarnation() == incarnation;
    }

    private ClusterImage withBroker(BrokerRegistration registration) {
        Map<Integer, BrokerRegistration> updated = new LinkedHashMap<>(brokers);
        updated.put(registration.id(), registration);
        return new ClusterImage(offset, clusterId, updated, topics, nextProducerId);
    }

    private ClusterImage withTopic(TopicMetadata topic) {
        Map<String, TopicMetadata> updated = new LinkedHashMap<>(topics);
        updated.put(topic.name(), topic);
        return new ClusterImage(offset, clusterId, brokers, updated, nextProducerId);
    }

    private ClusterImage withoutTopic(String name) {
        Map<String, TopicMetadata> updated = new LinkedHashMap<>(topics);
        updated.remove(name);
        return new ClusterImage(offset, clusterId, brokers, updated, nextProducerId);
    }

    private Applied register(BrokerRegistration registration) {
        BrokerRegistration previous = brokers.get(registration.id());
        ClusterImage next = this;
        if (previous != null && previous.incarnation() != registration.incarnation()) {
            // The previous process is gone: whatever it had in sync, the new one must fetch again before rejoining the ISR.
            next = next.removeFromIsrs(registration.id());
        }
        // A new process starts fenced; it is unfenced once it heartbeats with the metadata caught up.
        BrokerRegistration fenced = new BrokerRegistration(registration.id(), registration.host(), registration.port(), registration.rack(),
                registration.incarnation(), true, false);
        return ok(next.withBroker(fenced), null);
    }

    private Applied unregister(int brokerId) {
        if (!brokers.containsKey(brokerId)) {
            return error("broker " + brokerId + " is not registered");
        }
        int replicas = replicaCount(brokerId);
        if (replicas > 0) {
            return error("broker " + brokerId + " still holds " + replicas + " replica(s); reassign them first");
        }
        Map<Integer, BrokerRegistration> updated = new LinkedHashMap<>(brokers);
        updated.remove(brokerId);
        return ok(new ClusterImage(offset, clusterId, updated, topics, nextProducerId), null);
    }

    private Applied createTopic(TopicMetadata topic) {
        if (topics.containsKey(topic.name())) {
            return error("Topic '" + topic.name() + "' already exists.");
        }
        if (topic(topic.id()).isPresent()) {
            return error("topic id " + topic.id() + " is taken");
        }
        return ok(withTopic(topic), topic.id());
    }

    private Applied createPartitions(String name, List<PartitionState> added) {
        TopicMetadata topic = topics.get(name);
        if (topic == null) {
            return error("Topic '" + name + "' does not exist.");
        }
        List<PartitionState> all = new ArrayList<>(topic.partitions());
        all.addAll(added);
        return ok(withTopic(topic.withPartitions(all)), all.size());
    }

    private Applied alterIsr(MetadataRecord.AlterIsr change) {
        TopicMetadata topic = topics.get(change.topic());
        if (topic == null || change.partition() >= topic.partitions().size()) {
            return error("UNKNOWN_TOPIC_OR_PARTITION");
        }
        PartitionState state = topic.partitions().get(change.partition());
        if (state.leader() != change.leader() || state.leaderEpoch() != change.leaderEpoch()) {
            return error("FENCED_LEADER_EPOCH");
        }
        if (state.partitionEpoch() != change.partitionEpoch()) {
            return error("INVALID_UPDATE_VERSION");
        }
        for (int member : change.isr()) {
            if (!state.replicas().contains(member) || (!state.isr().contains(member) && !isActive(member))) {
                return error("INELIGIBLE_REPLICA");
            }
        }
        if (!change.isr().contains(change.leader())) {
            return error("INVALID_REQUEST");
        }
        PartitionState updated = state.withLeaderAndIsr(state.leader(), change.isr());
        if (updated.reassigning() && change.isr().containsAll(updated.adding())) {
            updated = completeReassignment(updated, topic);
        }
        return ok(withTopic(topic.withPartition(change.partition(), updated)), updated);
    }

    private PartitionState completeReassignment(PartitionState state, TopicMetadata topic) {
        List<Integer> target = state.targetReplicas();
        List<Integer> isr = state.isr().stream().filter(target::contains).toList();
        int leader = target.contains(state.leader()) ? state.leader() : electLeader(target, isr, allowsUnclean(topic));
        return state.withReplicas(target, isr.isEmpty() && leader >= 0 ? List.of(leader) : isr, List.of(), List.of(), leader);
    }

    private Applied reassign(String topicName, int partition, List<Integer> target) {
        TopicMetadata topic = topics.get(topicName);
        if (topic == null || partition >= topic.partitions().size()) {
            return error("UNKNOWN_TOPIC_OR_PARTITION");
        }
        PartitionState state = topic.partitions().get(partition);
        PartitionState updated;
        if (target == null) {
            if (!state.reassigning()) {
                return error("NO_REASSIGNMENT_IN_PROGRESS");
            }
            List<Integer> original = state.replicas().stream().filter(r -> !state.adding().contains(r)).toList();
            List<Integer> isr = state.isr().stream().filter(original::contains).toList();
            int leader = original.contains(state.leader()) ? state.leader() : electLeader(original, isr, false);
            updated = state.withReplicas(original, isr, List.of(), List.of(), leader);
        } else {
            if (target.isEmpty() || target.stream().distinct().count() != target.size() || !brokers.keySet().containsAll(target)) {
                return error("INVALID_REPLICA_ASSIGNMENT");
            }
            List<Integer> current = state.reassigning() ? state.targetReplicas() : state.replicas();
            List<Integer> adding = target.stream().filter(r -> !state.replicas().contains(r) || state.adding().contains(r)).toList();
            List<Integer> removing = state.replicas().stream().filter(r -> !target.contains(r)).toList();
            List<Integer> replicas = new ArrayList<>(target);
            removing.forEach(replicas::add);
            updated = state.withReplicas(replicas, state.isr(), adding, removing, state.leader());
            if (current.equals(target) || state.isr().containsAll(adding)) {
                updated = completeReassignment(updated, topic);
            }
        }
        return ok(withTopic(topic.withPartition(partition, updated)), updated);
    }

    private Applied electPreferred(String topicName, int partition) {
        TopicMetadata topic = topics.get(topicName);
        if (topic == null || partition >= topic.partitions().size()) {
            return error("UNKNOWN_TOPIC_OR_PARTITION");
        }
        PartitionState state = topic.partitions().get(partition);
        int preferred = state.replicas().get(0);
        if (state.leader() == preferred) {
            return error("ELECTION_NOT_NEEDED");
        }
        if (!state.isr().contains(preferred) || !isActive(preferred)) {
            return error("PREFERRED_LEADER_NOT_AVAILABLE");
        }
        PartitionState updated = state.withLeaderAndIsr(preferred, state.isr());
        return ok(withTopic(topic.withPartition(partition, updated)), updated);
    }

    /**
     * Takes {@code brokerId} out of every ISR and hands its leaderships to the next in-sync, active replica. The last
     * ISR member stays in the ISR (with no leader) so that, when it returns, it can lead again without data loss.
     */
    ClusterImage removeFromIsrs(int brokerId) {
        ClusterImage next = this;
        for (TopicMetadata topic : topics.values()) {
            TopicMetadata updated = topic;
            for (int p = 0; p < topic.partitions().size(); p++) {
                PartitionState state = topic.partitions().get(p);
                if (!state.isr().contains(brokerId) && state.leader() != brokerId) {
                    continue;
                }
                List<Integer> isr = state.isr().stream().filter(r -> r != brokerId).toList();
                if (isr.isEmpty()) {
                    isr = List.of(brokerId);
                }
                int leader = electLeaderExcluding(state.replicas(), isr, brokerId, allowsUnclean(topic));
                updated = updated.withPartition(p, state.withLeaderAndIsr(leader, leader >= 0 && !isr.contains(leader) ? List.of(leader) : isr));
            }
            if (updated != topic) {
                next = next.withTopic(updated);
            }
        }
        return next;
    }

    /** After a broker becomes active, leaderless partitions whose ISR holds an active broker get a leader. */
    ClusterImage electLeaderless() {
        ClusterImage next = this;
        for (TopicMetadata topic : topics.values()) {
            TopicMetadata updated = topic;
            for (int p = 0; p < topic.partitions().size(); p++) {
                PartitionState state = topic.partitions().get(p);
                if (state.hasLeader()) {
                    continue;
                }
                int leader = electLeader(state.replicas(), state.isr(), allowsUnclean(topic));
                if (leader >= 0) {
                    List<Integer> isr = state.isr().contains(leader) ? state.isr() : List.of(leader);
                    updated = updated.withPartition(p, state.withLeaderAndIsr(leader, isr));
                }
            }
            if (updated != topic) {
                next = next.withTopic(updated);
            }
        }
        return next;
    }

    private int electLeader(List<Integer> replicas, List<Integer> isr, boolean unclean) {
        return electLeaderExcluding(replicas, isr, -1, unclean);
    }

    /** The first replica (preferred order) that is in sync and active; with unclean election, any active replica. */
    private int electLeaderExcluding(List<Integer> replicas, List<Integer> isr, int excluded, boolean unclean) {
        for (int replica : replicas) {
            if (replica != excluded && isr.contains(replica) && isActive(replica)) {
                return replica;
            }
        }
        if (unclean) {
            for (int replica : replicas) {
                if (replica != excluded && isActive(replica)) {
                    return replica;
                }
            }
        }
        return PartitionState.NO_LEADER;
    }

    private static boolean allowsUnclean(TopicMetadata topic) {
        return Boolean.parseBoolean(topic.configs().getOrDefault("unclean.leader.election.enable", "false"));
    }
}
