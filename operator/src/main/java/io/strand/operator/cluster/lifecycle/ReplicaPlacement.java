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
     * Moves every replica on {@code leaving} to the least-loaded broker of {@code remaining} that the partition does
     * not use yet, on a rack the partition does not use yet when possible. Partitions whose replication factor exceeds
     * {@code remaining} cannot be drained and are left out (the caller refuses such a scale-down first).
     */
    public static Map<PartitionId, List<Integer>> drain(Collection<KafkaState.Partition> partitions, Set<Integer> leaving,
            List<Integer> remaining, Map<Integer, String> racks) {
        Map<Integer, Integer> load = load(partitions, remaining);
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
                Comparator<Integer> leastLoaded = Comparator.<Integer>comparingInt(load::get).thenComparingInt(b -> b);
                Integer chosen = candidates.stream().filter(b -> rackAllowed(target, slot, b, racks)).min(leastLoaded)
                        .orElseGet(() -> candidates.stream().min(leastLoaded).orElseThrow());
                target.set(i, chosen);
                load.merge(chosen, 1, Integer::sum);
            }
            moves.put(p.id(), List.copyOf(target));
        }
        return moves;
    }

    /**
     * Evens out replicas over {@code brokers} until no broker holds more than one replica above another, moving from
     * the most to the least loaded. Prefers moving a partition the busy broker leads while it leads more partitions
     * than the idle one, so leadership spreads with the replicas. Empty when the brokers are balanced already.
     */
    public static Map<PartitionId, List<Integer>> balance(Collection<KafkaState.Partition> partitions, List<Integer> brokers,
            Map<Integer, String> racks) {
        Map<PartitionId, List<Integer>> current = new TreeMap<>();
        sorted(partitions).forEach(p -> current.put(p.id(), new ArrayList<>(p.replicas())));
        Map<PartitionId, List<Integer>> moves = new TreeMap<>();
        int bound = current.values().stream().mapToInt(List::size).sum();
        for (int step = 0; step < bound && brokers.size() > 1; step++) {
            Map<Integer, Integer> load = new HashMap<>();
            Map<Integer, Integer> leads = new HashMap<>();
            brokers.forEach(b -> {
                load.put(b, 0);
                leads.put(b, 0);
            });
            current.values().forEach(replicas -> {
                replicas.forEach(r -> load.computeIfPresent(r, (k, v) -> v + 1));
                if (!replicas.isEmpty()) {
                    leads.computeIfPresent(replicas.get(0), (k, v) -> v + 1);
                }
            });
            Move move = nextMove(current, brokers, load, leads, racks);
            if (move == null) {
                break;
            }
            List<Integer> replicas = current.get(move.partition());
            replicas.set(replicas.indexOf(move.from()), move.to());
            moves.put(move.partition(), List.copyOf(replicas));
        }
        // a partition moved away and back again is no move at all
        Map<PartitionId, List<Integer>> original = new HashMap<>();
        partitions.forEach(p -> original.put(p.id(), p.replicas()));
        moves.entrySet().removeIf(e -> e.getValue().equals(original.get(e.getKey())));
        return moves;
    }

    private record Move(PartitionId partition, int from, int to) {
    }

    /**
     * The next single move: from the most loaded broker that can give a replica to the least loaded one that can take
     * it, between two brokers at least two replicas apart; null when there is none.
     */
    private static Move nextMove(Map<PartitionId, List<Integer>> current, List<Integer> brokers, Map<Integer, Integer> load,
            Map<Integer, Integer> leads, Map<Integer, String> racks) {
        List<Integer> busiest = brokers.stream().sorted(Comparator.<Integer>comparingInt(load::get).reversed().thenComparingInt(b -> b)).toList();
        List<Integer> idlest = brokers.stream().sorted(Comparator.<Integer>comparingInt(load::get).thenComparingInt(b -> b)).toList();
        for (int busy : busiest) {
            for (int idle : idlest) {
                if (load.get(busy) - load.get(idle) <= 1) {
                    break;
                }
                PartitionId pick = pick(current, busy, idle, leads.get(busy) > leads.get(idle), racks);
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
