package io.strand.operator.cluster.lifecycle;

import io.strand.operator.api.KafkaClusterDrainStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The KafkaCluster lifecycle as a pure function: from what is observed now (plus the drain confirmations kept in the
 * status) to the one next action. In order of precedence: drain brokers a scale-down removes, clean up brokers whose
 * pods are gone, restart outdated pods one at a time, spread each topic's replicas and then its preferred leaders
 * evenly over the brokers, elect preferred leaders.
 * Because nothing else is remembered, an operator restart resumes wherever the cluster stands.
 */
public final class LifecyclePlanner {

    public static final String REASON_DRAINING = "Draining";
    public static final String REASON_SCALE_DOWN_BLOCKED = "ScaleDownBlocked";
    public static final String REASON_UNREGISTERING = "Unregistering";
    public static final String REASON_ROLLING = "RollInProgress";
    public static final String REASON_REBALANCING = "Rebalancing";
    public static final String REASON_BROKER_UNHEALTHY = "BrokerUnhealthy";
    public static final String REASON_WAITING = "WaitingForBrokers";

    /** Observations that must each show the leaving brokers empty before the StatefulSet shrinks. */
    public static final int DRAIN_CONFIRMATIONS = 2;
    /** Two confirmations must be this far apart, so that one burst of reconciles cannot count twice. */
    public static final Duration CONFIRMATION_GAP = Duration.ofSeconds(2);
    /**
     * How long a restarted pod must have been Ready before the next pod is deleted or replicas are moved: the ISR check
     * alone could still see the previous broker process, which leaves its ISRs only once its SIGTERM has been handled.
     */
    public static final Duration ROLL_SETTLE = Duration.ofSeconds(5);
    /** A Ready pod whose broker is not registered and unfenced for this long is reported as unhealthy. */
    public static final Duration UNHEALTHY_GRACE = Duration.ofSeconds(15);

    private LifecyclePlanner() {
    }

    /**
     * The StatefulSet's {@code spec.replicas}: scaling up at once, scaling down only once the drain of exactly the
     * brokers that would go was confirmed often enough; until then the current size holds.
     */
    public static int statefulSetReplicas(int wanted, Integer current, KafkaClusterDrainStatus drain) {
        if (current == null || wanted >= current) {
            return wanted;
        }
        boolean confirmed = drain != null && Objects.equals(drain.getBrokers(), range(wanted, current))
                && drain.getConfirmations() != null && drain.getConfirmations() >= DRAIN_CONFIRMATIONS;
        return confirmed ? wanted : current;
    }

    public static Plan plan(Observation o) {
        if (o.statefulSetReplicas() == null) {
            return new Plan(Action.NONE, null, null, null, null, null, null);
        }
        int current = o.statefulSetReplicas();
        KafkaState kafka = o.kafka().orElse(null);
        String clusterId = kafka == null ? null : kafka.clusterId();
        Plan plan = o.wanted() < current ? scaleDown(o, current, kafka) : steady(o, current, kafka);
        if (plan.warningReason() == null) {
            Optional<String> unhealthy = unhealthy(o, current, kafka);
            if (unhealthy.isPresent()) {
                plan = new Plan(plan.action(), plan.progressReason(), plan.progress(), REASON_BROKER_UNHEALTHY, unhealthy.get(),
                        plan.drain(), null);
            }
        }
        return new Plan(plan.action(), plan.progressReason(), plan.progress(), plan.warningReason(), plan.warning(), plan.drain(), clusterId);
    }

    private static Plan scaleDown(Observation o, int current, KafkaState kafka) {
        List<Integer> leaving = range(o.wanted(), current);
        List<Integer> remaining = range(0, o.wanted());
        String draining = "draining brokers " + ids(leaving);
        KafkaClusterDrainStatus reset = new KafkaClusterDrainStatus(leaving, 0, null);
        if (kafka == null) {
            return progress(Action.NONE, REASON_DRAINING, draining + ": cannot reach the brokers (" + o.kafkaError() + ")", reset);
        }
        Optional<KafkaState.Partition> tooWide = kafka.partitions().stream()
                .max(Comparator.comparingInt(p -> p.replicas().size()))
                .filter(p -> p.replicas().size() > remaining.size());
        if (tooWide.isPresent()) {
            KafkaState.Partition p = tooWide.get();
            return new Plan(Action.NONE, null, null, REASON_SCALE_DOWN_BLOCKED, "topic " + p.id().topic() + " has "
                    + p.replicas().size() + " replicas per partition, more than the " + remaining.size()
                    + " brokers that would remain; keeping " + current + " brokers", null, null);
        }
        List<Integer> inactive = remaining.stream().filter(b -> !kafka.active(b)).toList();
        if (!inactive.isEmpty()) {
            return progress(Action.NONE, REASON_DRAINING, draining + ": waiting for brokers " + ids(inactive)
                    + " to be registered and unfenced", reset);
        }
        if (!kafka.reassigning().isEmpty()) {
            return progress(Action.NONE, REASON_DRAINING, draining + ": " + kafka.reassigning().size()
                    + " partition reassignment(s) in progress", reset);
        }
        Set<Integer> leavingSet = Set.copyOf(leaving);
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.drain(kafka.partitions(), leavingSet, remaining, racks(kafka));
        if (!moves.isEmpty()) {
            return progress(new Action.Reassign(moves), REASON_DRAINING, draining + ": moving the replicas of "
                    + moves.size() + " partition(s)", reset);
        }
        KafkaClusterDrainStatus previous = o.drain() != null && leaving.equals(o.drain().getBrokers()) ? o.drain() : reset;
        int confirmations = Optional.ofNullable(previous.getConfirmations()).orElse(0);
        if (confirmations >= DRAIN_CONFIRMATIONS) {
            return progress(Action.NONE, REASON_DRAINING, draining + ": they hold no replica; shrinking to "
                    + o.wanted() + " brokers", previous);
        }
        Instant last = previous.getLastConfirmation() == null ? null : Instant.parse(previous.getLastConfirmation());
        if (last != null && o.now().isBefore(last.plus(CONFIRMATION_GAP))) {
            return progress(Action.NONE, REASON_DRAINING, draining + ": they hold no replica (" + confirmations + "/"
                    + DRAIN_CONFIRMATIONS + " observations)", previous);
        }
        KafkaClusterDrainStatus confirmed = new KafkaClusterDrainStatus(leaving, confirmations + 1,
                DateTimeFormatter.ISO_INSTANT.format(o.now().truncatedTo(ChronoUnit.MILLIS)));
        return progress(Action.NONE, REASON_DRAINING, draining + ": they hold no replica (" + (confirmations + 1) + "/"
                + DRAIN_CONFIRMATIONS + " observations)" + (confirmations + 1 >= DRAIN_CONFIRMATIONS
                        ? "; shrinking to " + o.wanted() + " brokers" : ""), confirmed);
    }

    private static Plan steady(Observation o, int current, KafkaState kafka) {
        if (kafka != null) {
            Optional<Plan> cleanup = removedBrokers(o, current, kafka);
            if (cleanup.isPresent()) {
                return cleanup.get();
            }
        }
        List<PodState> outdated = o.pods().stream()
                .filter(p -> p.ordinal() < current && !Objects.equals(p.configHash(), o.templateConfigHash()))
                .toList();
        if (!outdated.isEmpty()) {
            return roll(o, current, kafka, outdated);
        }
        if (kafka == null) {
            return idle();
        }
        List<Integer> brokers = range(0, current);
        // settled as for a roll: a pod re-created a moment ago may still have the previous broker process behind it,
        // whose registration and ISRs the observation shows until its SIGTERM has been handled
        Optional<String> notSettled = notSettled(o, brokers, kafka, true);
        if (notSettled.isPresent()) {
            // busy rather than idle: new brokers get their share as soon as they are up, not at the next resync
            return progress(Action.NONE, REASON_WAITING, "waiting before rebalancing: " + notSettled.get(), null);
        }
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.balance(kafka.partitions(), brokers, racks(kafka));
        if (!moves.isEmpty()) {
            return progress(new Action.Reassign(moves), REASON_REBALANCING, "rebalancing: moving replicas of " + moves.size()
                    + " partition(s) to even out each topic over brokers " + ids(brokers), null);
        }
        Map<PartitionId, List<Integer>> reorders = ReplicaPlacement.balanceLeaders(kafka.partitions(), brokers);
        if (!reorders.isEmpty()) {
            return progress(new Action.Reassign(reorders), REASON_REBALANCING, "rebalancing: reordering the replicas of "
                    + reorders.size() + " partition(s) to spread each topic's preferred leaders over brokers " + ids(brokers), null);
        }
        Set<PartitionId> elect = kafka.partitions().stream()
                .filter(p -> !p.replicas().isEmpty() && p.leader() != p.replicas().get(0)
                        && p.isr().contains(p.replicas().get(0)) && kafka.active(p.replicas().get(0)))
                .map(KafkaState.Partition::id)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!elect.isEmpty()) {
            return progress(new Action.ElectPreferredLeaders(elect), REASON_REBALANCING, "electing preferred leaders of "
                    + elect.size() + " partition(s)", null);
        }
        return idle();
    }

    /**
     * Brokers still registered above the StatefulSet's size whose pods are gone: unregistered once empty, drained first
     * if something put replicas on them after all (a topic created between the drain's last check and the shrink).
     */
    private static Optional<Plan> removedBrokers(Observation o, int current, KafkaState kafka) {
        List<Integer> removed = kafka.brokers().keySet().stream()
                .filter(id -> id >= current && !o.voters().contains(id) && o.pod(id).isEmpty())
                .sorted().toList();
        if (removed.isEmpty()) {
            return Optional.empty();
        }
        List<Integer> holding = removed.stream().filter(id -> kafka.replicasOn(id) > 0).toList();
        if (holding.isEmpty()) {
            return Optional.of(progress(new Action.Unregister(Set.copyOf(removed)), REASON_UNREGISTERING,
                    "unregistering removed brokers " + ids(removed), null));
        }
        if (!kafka.reassigning().isEmpty()) {
            return Optional.of(progress(Action.NONE, REASON_DRAINING, "draining removed brokers " + ids(holding) + ": "
                    + kafka.reassigning().size() + " partition reassignment(s) in progress", null));
        }
        Map<PartitionId, List<Integer>> moves = ReplicaPlacement.drain(kafka.partitions(), Set.copyOf(holding),
                range(0, current).stream().filter(kafka::active).toList(), racks(kafka));
        return Optional.of(progress(moves.isEmpty() ? Action.NONE : new Action.Reassign(moves), REASON_DRAINING,
                "draining removed brokers " + ids(holding) + ": moving the replicas of " + moves.size() + " partition(s)", null));
    }

    /**
     * One pod at a time, each only when the whole cluster is healthy and fully in sync; the highest ordinal first and
     * the controller last, so that the quorum changes leader once at most.
     */
    private static Plan roll(Observation o, int current, KafkaState kafka, List<PodState> outdated) {
        String pending = outdated.size() + " broker pod(s) to restart for a new configuration ("
                + outdated.stream().map(p -> Integer.toString(p.ordinal())).sorted().collect(Collectors.joining(",")) + ")";
        Optional<String> wait = kafka == null ? Optional.of("cannot reach the brokers (" + o.kafkaError() + ")")
                : notSettled(o, range(0, current), kafka, true);
        if (wait.isPresent()) {
            return new Plan(Action.NONE, REASON_ROLLING, pending + "; waiting: " + wait.get(), REASON_ROLLING,
                    pending + "; waiting: " + wait.get(), null, null);
        }
        int controller = kafka.controller();
        PodState next = outdated.stream()
                .max(Comparator.<PodState>comparingInt(p -> p.ordinal() == controller ? -1 : 1).thenComparingInt(PodState::ordinal))
                .orElseThrow();
        String message = pending + "; restarting " + next.name();
        return new Plan(new Action.DeletePod(next.name()), REASON_ROLLING, message, REASON_ROLLING, message, null, null);
    }

    /**
     * Why the cluster is not in a state to be disturbed, or empty when it is: every pod present and Ready (for
     * {@link #ROLL_SETTLE} when {@code settle}), every broker registered and unfenced, every partition led and fully in
     * sync, no reassignment running.
     */
    static Optional<String> notSettled(Observation o, List<Integer> brokers, KafkaState kafka, boolean settle) {
        for (int id : brokers) {
            Optional<PodState> pod = o.pod(id);
            if (pod.isEmpty() || !pod.get().ready()) {
                return Optional.of("pod of broker " + id + " not Ready");
            }
            if (settle && o.now().isBefore(pod.get().readySince().plus(ROLL_SETTLE))) {
                return Optional.of("pod of broker " + id + " Ready for less than " + ROLL_SETTLE.toSeconds() + " s");
            }
            if (!kafka.active(id)) {
                return Optional.of("broker " + id + " not registered and unfenced");
            }
        }
        long offline = kafka.partitions().stream().filter(KafkaState.Partition::offline).count();
        if (offline > 0) {
            return Optional.of(offline + " partition(s) offline");
        }
        List<KafkaState.Partition> behind = kafka.partitions().stream().filter(KafkaState.Partition::underReplicated).toList();
        if (!behind.isEmpty()) {
            return Optional.of(behind.size() + " under-replicated partition(s), e.g. " + behind.get(0).id());
        }
        if (!kafka.reassigning().isEmpty()) {
            return Optional.of(kafka.reassigning().size() + " partition reassignment(s) in progress");
        }
        return Optional.empty();
    }

    /** Brokers whose pods are Ready (for a while) but which are not registered and unfenced, and offline partitions. */
    static Optional<String> unhealthy(Observation o, int brokers, KafkaState kafka) {
        List<PodState> readyPods = o.pods().stream()
                .filter(p -> p.ordinal() < brokers && p.ready() && !o.now().isBefore(p.readySince().plus(UNHEALTHY_GRACE)))
                .toList();
        if (kafka == null) {
            return readyPods.isEmpty() ? Optional.empty()
                    : Optional.of("cannot reach the brokers through the Admin API: " + o.kafkaError());
        }
        List<Integer> down = readyPods.stream().map(PodState::ordinal).filter(id -> !kafka.active(id)).sorted().toList();
        long offline = kafka.partitions().stream().filter(KafkaState.Partition::offline).count();
        if (down.isEmpty() && offline == 0) {
            return Optional.empty();
        }
        String message = down.isEmpty() ? "" : "brokers " + ids(down) + " have Ready pods but are not registered and unfenced";
        if (offline > 0) {
            message += (message.isEmpty() ? "" : "; ") + offline + " partition(s) offline";
        }
        return Optional.of(message);
    }

    private static Map<Integer, String> racks(KafkaState kafka) {
        Map<Integer, String> racks = new HashMap<>();
        kafka.brokers().values().forEach(b -> {
            if (b.rack() != null) {
                racks.put(b.id(), b.rack());
            }
        });
        return racks;
    }

    private static Plan progress(Action action, String reason, String message, KafkaClusterDrainStatus drain) {
        return new Plan(action, reason, message, null, null, drain, null);
    }

    private static Plan idle() {
        return new Plan(Action.NONE, null, null, null, null, null, null);
    }

    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    static String ids(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
