package io.strand.operator.cluster.lifecycle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where replicas should go: pure functions from partitions and brokers to new replica lists. A moved replica takes the
 * position of the one it replaces, so a broker that loses its preferred-leader slot hands it to the newcomer, and the
 * replication factor never changes.
 */
public final class ReplicaPlacement {

    private ReplicaPlacement() {
    }

    /**
     * Moves every replica on {@code leaving} to the broker of {@code remaining} that the partition does not use yet
     * and holds the fewest replicas of its topic (then the fewest overall), on a rack the partition does not use yet
     * when possible. Partitions whose replication factor exceeds {@code remaining} cannot be drained and are left out
     * (the caller refuses such a scale-down first).
     */
    public static Map<PartitionId, List<Integer>> drain(Collection<KafkaState.Partition> partitions, Set<Integer> leaving,
            List<Integer> remaining, Map<Integer, String> racks) {
        Map<Integer, Integer> load = load(partitions, remaining);
        Map<String, Map<Integer, Integer>> topicLoad = new HashMap<>();
        byTopic(partitions).forEach((topic, replicas) -> topicLoad.put(topic, count(replicas, remaining, false)));
        Map<PartitionId, List<Integer>> moves = new TreeMap<>();
        for (KafkaState.Partition p : sorted(partitions)) {
            if (p.replicas().stream().noneMatch(leaving::contains) || p.replicas().size() > remaining.size()) {
                continue;
            }
            List<Integer> target = new ArrayList<>(p.replicas());
            for (int i = 0; i < target.size(); i++) {
                if (!leaving.contains(target.get(i))) {
                    continue;
                }
                int slot = i;
                List<Integer> candidates = remaining.stream().filter(b -> !target.contains(b)).toList();
                Map<Integer, Integer> inTopic = topicLoad.get(p.id().topic());
                Comparator<Integer> leastLoaded = Comparator.<Integer>comparingInt(inTopic::get).thenComparingInt(load::get)
                        .thenComparingInt(b -> b);
                Integer chosen = candidates.stream().filter(b -> rackAllowed(target, slot, b, racks)).min(leastLoaded)
                        .orElseGet(() -> candidates.stream().min(leastLoaded).orElseThrow());
                target.set(i, chosen);
                load.merge(chosen, 1, Integer::sum);
                inTopic.merge(chosen, 1, Integer::sum);
            }
            moves.put(p.id(), List.copyOf(target));
        }
        return moves;
    }

    /**
     * Evens out each topic's replicas over {@code brokers} until no broker holds more than one replica of the topic
     * above another, moving from the most to the least loaded (ties going to the broker with fewer replicas overall,
     * so that topics with few partitions do not all pile onto the same brokers). Prefers moving a partition the busy
     * broker leads while it leads more of the topic's partitions than the idle one, so leadership spreads with the
     * replicas ({@link #balanceLeaders} finishes that). Empty when every topic is balanced already.
     */
    public static Map<PartitionId, List<Integer>> balance(Collection<KafkaState.Partition> partitions, List<Integer> brokers,
            Map<Integer, String> racks) {
        Map<PartitionId, List<Integer>> moves = new TreeMap<>();
        if (brokers.size() < 2) {
            return moves;
        }
        Map<Integer, Integer> total = load(partitions, brokers);
        for (Map<PartitionId, List<Integer>> topic : byTopic(partitions).values()) {
            int bound = topic.values().stream().mapToInt(List::size).sum();
            for (int step = 0; step < bound; step++) {
                Map<Integer, Integer> load = count(topic, brokers, false);
                Map<Integer, Integer> leads = count(topic, brokers, true);
                Move move = nextMove(topic, brokers, load, leads, total, racks);
                if (move == null) {
                    break;
                }
                List<Integer> replicas = topic.get(move.partition());
                replicas.set(replicas.indexOf(move.from()), move.to());
                total.merge(move.from(), -1, Integer::sum);
                total.merge(move.to(), 1, Integer::sum);
                moves.put(move.partition(), List.copyOf(replicas));
            }
        }
        return withoutNoOps(partitions, moves);
    }

    /**
     * Reorders replica lists (nothing moves between brokers) until, for each topic, no broker is the preferred leader
     * of two more partitions than another broker holding replicas of it: the preferred leader swaps places with a
     * replica on a broker that prefers to lead fewer. Empty when preferred leaders are spread already.
     */
    public static Map<PartitionId, List<Integer>> balanceLeaders(Collection<KafkaState.Partition> partitions, List<Integer> brokers) {
        Map<PartitionId, List<Integer>> moves = new TreeMap<>();
        if (brokers.size() < 2) {
            return moves;
        }
        for (Map<PartitionId, List<Integer>> topic : byTopic(partitions).values()) {
            for (int step = 0; step < topic.size() * brokers.size(); step++) {
                Map<Integer, Integer> leads = count(topic, brokers, true);
                List<Integer> busiest = brokers.stream().sorted(Comparator.<Integer>comparingInt(leads::get).reversed().thenComparingInt(b -> b)).toList();
                List<Integer> idlest = brokers.stream().sorted(Comparator.<Integer>comparingInt(leads::get).thenComparingInt(b -> b)).toList();
                PartitionId swap = null;
                int to = -1;
                search:
                for (int busy : busiest) {
                    for (int idle : idlest) {
                        if (leads.get(busy) - leads.get(idle) <= 1) {
                            break;
                        }
                        for (Map.Entry<PartitionId, List<Integer>> e : topic.entrySet()) {
                            List<Integer> replicas = e.getValue();
                            if (replicas.get(0) == busy && replicas.contains(idle)) {
                                swap = e.getKey();
                                to = idle;
                                break search;
                            }
                        }
                    }
                }
                if (swap == null) {
                    break;
                }
                List<Integer> replicas = topic.get(swap);
                int slot = replicas.indexOf(to);
                replicas.set(slot, replicas.get(0));
                replicas.set(0, to);
                moves.put(swap, List.copyOf(replicas));
            }
        }
        return withoutNoOps(partitions, moves);
    }

    private record Move(PartitionId partition, int from, int to) {
    }

    /**
     * The next single move within one topic: from the most loaded broker that can give a replica to the least loaded
     * one that can take it, between two brokers at least two of the topic's replicas apart; null when there is none.
     */
    private static Move nextMove(Map<PartitionId, List<Integer>> topic, List<Integer> brokers, Map<Integer, Integer> load,
            Map<Integer, Integer> leads, Map<Integer, Integer> total, Map<Integer, String> racks) {
        List<Integer> busiest = brokers.stream().sorted(Comparator.<Integer>comparingInt(load::get).reversed()
                .thenComparing(Comparator.<Integer>comparingInt(total::get).reversed()).thenComparingInt(b -> b)).toList();
        List<Integer> idlest = brokers.stream().sorted(Comparator.<Integer>comparingInt(load::get)
                .thenComparingInt(total::get).thenComparingInt(b -> b)).toList();
        for (int busy : busiest) {
            for (int idle : idlest) {
                if (load.get(busy) - load.get(idle) <= 1) {
                    break;
                }
                PartitionId pick = pick(topic, busy, idle, leads.get(busy) > leads.get(idle), racks);
                if (pick != null) {
                    return new Move(pick, busy, idle);
                }
            }
        }
        return null;
    }

    private static PartitionId pick(Map<PartitionId, List<Integer>> current, int busy, int idle, boolean moveLeadership,
            Map<Integer, String> racks) {
        PartitionId pick = null;
        for (Map.Entry<PartitionId, List<Integer>> e : current.entrySet()) {
            List<Integer> replicas = e.getValue();
            int slot = replicas.indexOf(busy);
            if (slot < 0 || replicas.contains(idle) || !rackAllowed(replicas, slot, idle, racks)) {
                continue;
            }
            if ((slot == 0) == moveLeadership) {
                return e.getKey();
            }
            if (pick == null) {
                pick = e.getKey();
            }
        }
        return pick;
    }

    /** Each topic's partitions, as mutable replica lists, in partition order. */
    private static Map<String, Map<PartitionId, List<Integer>>> byTopic(Collection<KafkaState.Partition> partitions) {
        Map<String, Map<PartitionId, List<Integer>>> topics = new TreeMap<>();
        sorted(partitions).forEach(p -> topics.computeIfAbsent(p.id().topic(), t -> new TreeMap<>()).put(p.id(), new ArrayList<>(p.replicas())));
        return topics;
    }

    /** Replicas (or, with {@code leaders}, preferred leaderships) per broker of {@code brokers}; others are ignored. */
    private static Map<Integer, Integer> count(Map<PartitionId, List<Integer>> topic, List<Integer> brokers, boolean leaders) {
        Map<Integer, Integer> count = new HashMap<>();
        brokers.forEach(b -> count.put(b, 0));
        topic.values().forEach(replicas -> {
            if (leaders) {
                if (!replicas.isEmpty()) {
                    count.computeIfPresent(replicas.get(0), (k, v) -> v + 1);
                }
            } else {
                replicas.forEach(r -> count.computeIfPresent(r, (k, v) -> v + 1));
            }
        });
        return count;
    }

    /** A partition moved away and back again is no move at all. */
    private static Map<PartitionId, List<Integer>> withoutNoOps(Collection<KafkaState.Partition> partitions, Map<PartitionId, List<Integer>> moves) {
        Map<PartitionId, List<Integer>> original = new HashMap<>();
        partitions.forEach(p -> original.put(p.id(), p.replicas()));
        moves.entrySet().removeIf(e -> e.getValue().equals(original.get(e.getKey())));
        return moves;
    }

    /**
     * Whether {@code candidate} may take {@code slot}: always without rack information, else only onto a rack no other
     * replica of the partition uses (or the rack of the replica it replaces, which changes nothing).
     */
    static boolean rackAllowed(List<Integer> replicas, int slot, int candidate, Map<Integer, String> racks) {
        String rack = racks.get(candidate);
        if (rack == null) {
            return true;
        }
        if (rack.equals(racks.get(replicas.get(slot)))) {
            return true;
        }
        for (int i = 0; i < replicas.size(); i++) {
            if (i != slot && Objects.equals(rack, racks.get(replicas.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static Map<Integer, Integer> load(Collection<KafkaState.Partition> partitions, List<Integer> brokers) {
        Map<Integer, Integer> load = new HashMap<>();
        brokers.forEach(b -> load.put(b, 0));
        partitions.forEach(p -> p.replicas().forEach(r -> load.computeIfPresent(r, (k, v) -> v + 1)));
        return load;
    }

    private static List<KafkaState.Partition> sorted(Collection<KafkaState.Partition> partitions) {
        return partitions.stream().sorted(Comparator.comparing(KafkaState.Partition::id)).toList();
    }
}
