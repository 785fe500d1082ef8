package io.strand.operator.topic;

import io.strand.operator.api.TopicSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What must change on an existing topic for it to match its spec. Pure, so every rule below is unit-tested.
 *
 * <ul>
 *   <li>An omitted field means "leave as is": no partitions, no replication factor, no config key is reset.</li>
 *   <li>Only keys in {@code spec.config} are managed; they are set whenever the topic's own override differs (a value
 *       equal to the broker default is still pinned as an override, since the user asked for it).</li>
 *   <li>A key managed before (recorded in {@code status.managedConfig}) and since removed from the spec is deleted,
 *       returning to the broker default. Overrides the resource never managed are never touched.</li>
 *   <li>Partitions only grow; fewer partitions than exist, or another replication factor, is reported as not
 *       supported and left alone, while the configs still converge.</li>
 * </ul>
 */
record TopicDiff(SortedMap<String, String> set, SortedSet<String> delete, Integer increasePartitionsTo,
        List<String> notSupported) {

    /** The topic as the broker describes it; {@code overrides} holds only the topic's own config overrides. */
    record Actual(int partitions, int replicationFactor, Map<String, String> overrides) {
    }

    static TopicDiff between(TopicSpec spec, Actual actual, Collection<String> previouslyManaged) {
        Map<String, String> desired = spec.getConfig() == null ? Map.of() : spec.getConfig();
        SortedMap<String, String> set = new TreeMap<>();
        desired.forEach((key, value) -> {
            String current = actual.overrides().get(key);
            if (current == null || !normalise(current).equals(normalise(value))) {
                set.put(key, value);
            }
        });
        SortedSet<String> delete = new TreeSet<>();
        if (previouslyManaged != null) {
            previouslyManaged.stream()
                    .filter(key -> !desired.containsKey(key) && actual.overrides().containsKey(key))
                    .forEach(delete::add);
        }

        List<String> notSupported = new ArrayList<>();
        Integer increaseTo = null;
        Integer partitions = spec.getPartitions();
        if (partitions != null && partitions > actual.partitions()) {
            increaseTo = partitions;
        } else if (partitions != null && partitions < actual.partitions()) {
            notSupported.add("the topic has " + actual.partitions() + " partitions and spec.partitions is " + partitions
                    + ": partitions cannot be removed; set spec.partitions to at least " + actual.partitions());
        }
        Integer replicationFactor = spec.getReplicationFactor();
        if (replicationFactor != null && replicationFactor != actual.replicationFactor()) {
            notSupported.add("the topic has replication factor " + actual.replicationFactor()
                    + " and spec.replicationFactor is " + replicationFactor + ": changing it is not supported yet");
        }
        return new TopicDiff(set, delete, increaseTo, List.copyOf(notSupported));
    }

    /** Config keys managed once this diff is applied: exactly the spec's. */
    static List<String> managedAfter(TopicSpec spec) {
        return spec.getConfig() == null ? List.of() : List.copyOf(new TreeSet<>(spec.getConfig().keySet()));
    }

    /**
     * Config keys to keep tracking when the diff could not be applied: deletes still pending stay tracked, or they
     * would be forgotten and the override left behind for good.
     */
    static List<String> managedPending(TopicSpec spec, Collection<String> previouslyManaged) {
        SortedSet<String> keys = new TreeSet<>(managedAfter(spec));
        if (previouslyManaged != null) {
            keys.addAll(previouslyManaged);
        }
        return List.copyOf(keys);
    }

    boolean changesTopic() {
        return !set.isEmpty() || !delete.isEmpty() || increasePartitionsTo != null;
    }

    // the broker stores list values without blanks ("compact, delete" as "compact,delete"): not a drift to fix
    private static String normalise(String value) {
        return Objects.requireNonNullElse(value, "").trim().replaceAll("\\s*,\\s*", ",");
    }
}
