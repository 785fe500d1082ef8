package io.strand.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The metadata quorum's voters. The broker cannot change its voter set at runtime, so the operator picks it once,
 * when the cluster is created ({@code 0 .. min(replicas, 3) - 1}), records it in {@code status.voters}, and never
 * moves it: scaling adds or removes non-voting brokers only, and a scale-down that would remove a voter is refused
 * (the StatefulSet keeps enough pods and the cluster reports ScaleDownBlocked). If the status is lost, the voters are
 * read back from the broker ConfigMap, which holds the same list.
 */
public final class Voters {

    /** Three voters survive one failure; five would slow every metadata commit for little gain at this scale. */
    public static final int MAX_VOTERS = 3;

    private Voters() {
    }

    /** The voters of a cluster created with {@code replicas} brokers. */
    public static List<Integer> initial(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("a cluster needs at least one broker, not " + replicas);
        }
        return IntStream.range(0, Math.min(replicas, MAX_VOTERS)).boxed().collect(Collectors.toUnmodifiableList());
    }

    /**
     * The voters to use: those recorded in the status, else those in the existing ConfigMap's
     * {@code controller.quorum.voters}, else {@link #initial} for a new cluster.
     */
    public static List<Integer> decide(List<Integer> recorded, Optional<String> configuredQuorum, int replicas) {
        if (recorded != null && !recorded.isEmpty()) {
            return List.copyOf(recorded);
        }
        Optional<List<Integer>> configured = configuredQuorum.filter(v -> !v.isBlank()).map(Voters::parseIds);
        return configured.orElseGet(() -> initial(replicas));
    }

    /** {@code controller.quorum.voters}: {@code id@host:9093,...}, hosts being the pods' headless-Service names. */
    public static String quorumVoters(String cluster, String namespace, List<Integer> voters) {
        return voters.stream()
                .map(id -> id + "@" + ClusterResources.podHost(cluster, namespace, id) + ":" + ClusterResources.CONTROLLER_PORT)
                .collect(Collectors.joining(","));
    }

    /** The node ids of a {@code controller.quorum.voters} value. */
    public static List<Integer> parseIds(String quorumVoters) {
        List<Integer> ids = new ArrayList<>();
        for (String voter : quorumVoters.split(",")) {
            String trimmed = voter.trim();
            int at = trimmed.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("not a voter (id@host:port): '" + trimmed + "' in '" + quorumVoters + "'");
            }
            ids.add(Integer.parseInt(trimmed.substring(0, at)));
        }
        return List.copyOf(ids);
    }

    /** The fewest brokers that keep every voter: ordinals are dense, so the highest voter id decides. */
    public static int minimumReplicas(List<Integer> voters) {
        return voters.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /** The StatefulSet's replicas: what the user asked for, but never fewer than {@link #minimumReplicas}. */
    public static int effectiveReplicas(int requested, List<Integer> voters) {
        return Math.max(requested, minimumReplicas(voters));
    }
}
