package io.strand.operator.cluster.lifecycle;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one thing a reconcile does to the brokers or their pods; the planner never asks for two at once. */
public sealed interface Action {

    /** Nothing to do, or nothing that may be done yet. */
    record None() implements Action {
    }

    /** alterPartitionReassignments: each partition's new replica list, in preferred order. */
    record Reassign(Map<PartitionId, List<Integer>> targets) implements Action {
        public Reassign {
            targets = Map.copyOf(targets);
        }
    }

    /** Preferred-leader election for partitions whose preferred leader is in sync but does not lead. */
    record ElectPreferredLeaders(Set<PartitionId> partitions) implements Action {
        public ElectPreferredLeaders {
            partitions = Set.copyOf(partitions);
        }
    }

    /** Deletes one pod, so the StatefulSet controller re-creates it from the current template (OnDelete). */
    record DeletePod(String name) implements Action {
    }

    /** Removes brokers whose pods are gone for good from the cluster's registrations. */
    record Unregister(Set<Integer> brokers) implements Action {
        public Unregister {
            brokers = Set.copyOf(brokers);
        }
    }

    None NONE = new None();
}
