package io.strand.broker.server.coordinator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Server-side assignors of consumer-protocol groups: pure functions from subscriptions and partition counts to a
 * target assignment (member id to topic id to partitions). Stateless and thread-safe.
 */
final class Assignors {
    static final List<String> KNOWN = List.of("uniform", "range");

    private Assignors() {
    }

    /** @param subscriptions member id to the ids of the (existing) topics it subscribes to */
    static Map<String, Map<Uuid, Set<Integer>>> assign(String assignor, Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                                       Map<String, Map<Uuid, Set<Integer>>> current) {
        return switch (assignor) {
            case "uniform" -> uniform(subscriptions, partitionCounts, current);
            case "range" -> range(subscriptions, partitionCounts);
            default -> throw new IllegalArgumentException("unknown assignor " + assignor);
        };
    }

    /**
     * Spreads partitions so member counts differ by at most one among members with the same subscriptions, keeping
     * partitions where they are when that does not unbalance (so a rebalance moves as few partitions as possible).
     */
    static Map<String, Map<Uuid, Set<Integer>>> uniform(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                                        Map<String, Map<Uuid, Set<Integer>>> current) {
        Map<String, Integer> counts = new TreeMap<>();
        subscriptions.keySet().forEach(m -> counts.put(m, 0));
        Map<Uuid, Map<Integer, String>> owner = new TreeMap<>();
        // Keep current owners while they stay subscribed; fairness is restored below.
        for (var entry : new TreeMap<>(current).entrySet()) {
            String member = entry.getKey();
            if (!subscriptions.containsKey(member)) {
                continue;
            }
            entry.getValue().forEach((topic, parts) -> {
                Integer count = partitionCounts.get(topic);
                if (count == null || !subscriptions.get(member).contains(topic)) {
                    return;
                }
                for (int p : parts) {
                    if (p < count && owner.computeIfAbsent(topic, t -> new TreeMap<>()).putIfAbsent(p, member) == null) {
                        counts.merge(member, 1, Integer::sum);
                    }
                }
            });
        }
        for (Uuid topic : new TreeSet<>(partitionCounts.keySet())) {
            List<String> eligible = eligible(subscriptions, topic);
            if (eligible.isEmpty()) {
                continue;
            }
            Map<Integer, String> owners = owner.computeIfAbsent(topic, t -> new TreeMap<>());
            for (int p = 0; p < partitionCounts.get(topic); p++) {
                if (!owners.containsKey(p)) {
                    String least = eligible.stream().min(Comparator.<String>comparingInt(counts::get).thenComparing(Comparator.naturalOrder())).orElseThrow();
                    owners.put(p, least);
                    counts.merge(least, 1, Integer::sum);
                }
            }
        }
        // Move partitions from members holding two or more than the least-loaded eligible member, until balanced.
        boolean moved = true;
        for (int round = 0; moved && round < 1000; round++) {
            moved = false;
            for (var topicOwners : owner.entrySet()) {
                List<String> eligible = eligible(subscriptions, topicOwners.getKey());
                for (var p : topicOwners.getValue().entrySet()) {
                    String least = eligible.stream().min(Comparator.<String>comparingInt(counts::get).thenComparing(Comparator.naturalOrder())).orElseThrow();
                    if (counts.get(p.getValue()) > counts.get(least) + 1) {
                        counts.merge(p.getValue(), -1, Integer::sum);
                        counts.merge(least, 1, Integer::sum);
                        p.setValue(least);
                        moved = true;
                    }
                }
            }
        }
        Map<String, Map<Uuid, Set<Integer>>> out = emptyFor(subscriptions);
        owner.forEach((topic, parts) -> parts.forEach((p, member) -> out.get(member).computeIfAbsent(topic, t -> new TreeSet<>()).add(p)));
        return out;
    }

    /** Kafka's range rule per topic: members sorted by id each take a contiguous range, the first ones one extra. */
    static Map<String, Map<Uuid, Set<Integer>>> range(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts) {
        Map<String, Map<Uuid, Set<Integer>>> out = emptyFor(subscriptions);
        for (Uuid topic : new TreeSet<>(partitionCounts.keySet())) {
            List<String> members = eligible(subscriptions, topic);
            if (members.isEmpty()) {
                continue;
            }
            int partitions = partitionCounts.get(topic);
            int each = partitions / members.size();
            int extra = partitions % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int take = each + (i < extra ? 1 : 0);
                Set<Integer> parts = new TreeSet<>();
                for (int p = next; p < next + take; p++) {
                    parts.add(p);
                }
                next += take;
                if (!parts.isEmpty()) {
                    out.get(members.get(i)).put(topic, parts);
                }
            }
        }
        return out;
    }

    private static List<String> eligible(Map<String, Set<Uuid>> subscriptions, Uuid topic) {
        List<String> members = new ArrayList<>();
        subscriptions.forEach((m, topics) -> {
            if (topics.contains(topic)) {
                members.add(m);
            }
        });
        members.sort(Comparator.naturalOrder());
        return members;
    }

    private static Map<String, Map<Uuid, Set<Integer>>> emptyFor(Map<String, Set<Uuid>> subscriptions) {
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new HashMap<>()));
        return out;
    }
}
