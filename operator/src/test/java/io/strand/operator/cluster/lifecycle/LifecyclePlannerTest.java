package io.strand.operator.cluster.lifecycle;

import static io.strand.operator.cluster.lifecycle.Fixtures.HASH;
import static io.strand.operator.cluster.lifecycle.Fixtures.NOW;
import static io.strand.operator.cluster.lifecycle.Fixtures.kafka;
import static io.strand.operator.cluster.lifecycle.Fixtures.observe;
import static io.strand.operator.cluster.lifecycle.Fixtures.partition;
import static io.strand.operator.cluster.lifecycle.Fixtures.pods;
import static io.strand.operator.cluster.lifecycle.Fixtures.spread;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.operator.api.KafkaClusterDrainStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifecyclePlannerTest {

    private static final String T = NOW.toString();

    // ---- scale-down

    @Test
    void aScaleDownFirstMovesTheReplicasOffTheLeavingBrokers() {
        Plan plan = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), kafka(5, spread("t", 10, 2, 5)), null));
        assertThat(plan.action()).isInstanceOf(Action.Reassign.class);
        assertThat(((Action.Reassign) plan.action()).targets().values()).allSatisfy(r -> assertThat(r).doesNotContain(3, 4));
        assertThat(plan.progress()).startsWith("draining brokers 3,4");
        assertThat(plan.drain()).isEqualTo(new KafkaClusterDrainStatus(List.of(3, 4), 0, null));
        assertThat(LifecyclePlanner.statefulSetReplicas(3, 5, plan.drain())).as("the StatefulSet holds").isEqualTo(5);
    }

    @Test
    void emptyBrokersAreConfirmedOnTwoSeparateObservationsBeforeTheStatefulSetShrinks() {
        KafkaState drained = kafka(5, spread("t", 6, 2, 3));
        Plan first = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), drained, null));
        assertThat(first.action()).isEqualTo(Action.NONE);
        assertThat(first.drain()).isEqualTo(new KafkaClusterDrainStatus(List.of(3, 4), 1, T));
        assertThat(LifecyclePlanner.statefulSetReplicas(3, 5, first.drain())).as("one observation is not enough").isEqualTo(5);

        // a second reconcile right away does not count
        Plan burst = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), drained, first.drain()));
        assertThat(burst.drain()).isEqualTo(first.drain());

        Plan second = LifecyclePlanner.plan(at(observe(3, 5, pods(5, HASH), drained, first.drain()), NOW.plusSeconds(3)));
        assertThat(second.drain().getConfirmations()).isEqualTo(2);
        assertThat(LifecyclePlanner.statefulSetReplicas(3, 5, second.drain())).isEqualTo(3);
        assertThat(second.progress()).contains("draining brokers 3,4").contains("shrinking to 3");
    }

    @Test
    void aReplicaReappearingOnALeavingBrokerStartsTheConfirmationsAgain() {
        KafkaClusterDrainStatus once = new KafkaClusterDrainStatus(List.of(3, 4), 1, NOW.minusSeconds(10).toString());
        KafkaState again = kafka(5, List.of(partition("new", 0, List.of(4, 0))));
        Plan plan = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), again, once));
        assertThat(plan.action()).isInstanceOf(Action.Reassign.class);
        assertThat(plan.drain().getConfirmations()).isZero();
    }

    @Test
    void confirmationsForOtherBrokersDoNotCount() {
        KafkaClusterDrainStatus forFour = new KafkaClusterDrainStatus(List.of(4), 2, T);
        assertThat(LifecyclePlanner.statefulSetReplicas(3, 5, forFour)).isEqualTo(5);
        Plan plan = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), kafka(5, spread("t", 3, 1, 3)), forFour));
        assertThat(plan.drain()).isEqualTo(new KafkaClusterDrainStatus(List.of(3, 4), 1, T));
    }

    @Test
    void noConfirmationWhileAReassignmentRunsOrTheBrokersAreUnreachable() {
        KafkaState moving = new KafkaState("cid", 0, Fixtures.brokers(5), spread("t", 3, 1, 3), Set.of(new PartitionId("t", 0)));
        KafkaClusterDrainStatus once = new KafkaClusterDrainStatus(List.of(3, 4), 1, NOW.minusSeconds(10).toString());
        assertThat(LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), moving, once)).drain().getConfirmations()).isZero();
        Plan unreachable = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), null, once));
        assertThat(unreachable.drain().getConfirmations()).isZero();
        assertThat(unreachable.action()).isEqualTo(Action.NONE);
        assertThat(unreachable.progress()).contains("cannot reach the brokers");
    }

    @Test
    void aScaleDownBelowATopicsReplicationFactorIsRefused() {
        KafkaState wide = kafka(5, List.of(partition("wide", 0, List.of(0, 1, 2, 3)), partition("t", 0, List.of(4))));
        Plan plan = LifecyclePlanner.plan(observe(3, 5, pods(5, HASH), wide, null));
        assertThat(plan.action()).isEqualTo(Action.NONE);
        assertThat(plan.warningReason()).isEqualTo("ScaleDownBlocked");
        assertThat(plan.warning()).contains("topic wide has 4 replicas");
        assertThat(plan.drain()).isNull();
        assertThat(LifecyclePlanner.statefulSetReplicas(3, 5, plan.drain())).isEqualTo(5);
    }

    @Test
    void scalingUpNeverWaits() {
        assertThat(LifecyclePlanner.statefulSetReplicas(5, 3, null)).isEqualTo(5);
        assertThat(LifecyclePlanner.statefulSetReplicas(3, null, null)).isEqualTo(3);
    }

    // ---- after the shrink

    @Test
    void removedBrokersAreUnregisteredOnceTheirPodsAreGone() {
        KafkaState stillRegistered = kafka(5, spread("t", 6, 2, 3));
        Plan podsLeft = LifecyclePlanner.plan(observe(3, 3, pods(5, HASH), stillRegistered, null));
        assertThat(podsLeft.action()).as("pods 3 and 4 still exist").isNotInstanceOf(Action.Unregister.class);

        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), stillRegistered, null));
        assertThat(plan.action()).isEqualTo(new Action.Unregister(Set.of(3, 4)));
        assertThat(plan.progress()).contains("unregistering removed brokers 3,4");
    }

    @Test
    void aRemovedBrokerThatStillHoldsReplicasIsDrainedNotUnregistered() {
        KafkaState late = kafka(5, List.of(partition("late", 0, List.of(4, 0))));
        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), late, null));
        assertThat(plan.action()).isInstanceOf(Action.Reassign.class);
        assertThat(((Action.Reassign) plan.action()).targets().get(new PartitionId("late", 0))).doesNotContain(4).hasSize(2);
    }

    // ---- rolling restart

    @Test
    void aRollRestartsOnePodWhenEverythingIsInSyncTheControllerLast() {
        List<PodState> pods = pods(3, "old");
        KafkaState healthy = new KafkaState("cid", 2, Fixtures.brokers(3), spread("t", 3, 3, 3), Set.of());
        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods, healthy, null));
        assertThat(plan.action()).isEqualTo(new Action.DeletePod("c-broker-1"));
        assertThat(plan.warningReason()).isEqualTo("RollInProgress");
        assertThat(plan.progressReason()).isEqualTo("RollInProgress");

        List<PodState> onlyController = new ArrayList<>(pods(3, HASH));
        onlyController.set(2, new PodState("c-broker-2", 2, Fixtures.LONG_AGO, false, "old"));
        assertThat(LifecyclePlanner.plan(observe(3, 3, onlyController, healthy, null)).action()).isEqualTo(new Action.DeletePod("c-broker-2"));
    }

    @Test
    void aRollWaitsForUnderReplicatedPartitionsAndRestartedPods() {
        List<PodState> pods = new ArrayList<>(pods(3, "old"));
        KafkaState behind = kafka(3, List.of(partition("t", 0, List.of(0, 1, 2), List.of(0, 1), 0)));
        Plan urp = LifecyclePlanner.plan(observe(3, 3, pods, behind, null));
        assertThat(urp.action()).isEqualTo(Action.NONE);
        assertThat(urp.warning()).contains("under-replicated");

        KafkaState inSync = kafka(3, spread("t", 3, 3, 3));
        pods.set(2, new PodState("c-broker-2", 2, NOW.minusSeconds(1), false, HASH));
        Plan fresh = LifecyclePlanner.plan(observe(3, 3, pods, inSync, null));
        assertThat(fresh.action()).as("the restarted pod is Ready for only a second").isEqualTo(Action.NONE);
        assertThat(fresh.warning()).contains("Ready for less than");

        pods.set(2, new PodState("c-broker-2", 2, null, false, HASH));
        assertThat(LifecyclePlanner.plan(observe(3, 3, pods, inSync, null)).warning()).contains("pod of broker 2 not Ready");

        pods.set(2, new PodState("c-broker-2", 2, Fixtures.LONG_AGO, true, "old"));
        assertThat(LifecyclePlanner.plan(observe(3, 3, pods, inSync, null)).action()).as("terminating").isEqualTo(Action.NONE);

        KafkaState fenced = new KafkaState("cid", 0, Map.of(0, new KafkaState.Broker(0, null, false), 1,
                new KafkaState.Broker(1, null, true), 2, new KafkaState.Broker(2, null, false)), spread("t", 3, 3, 3), Set.of());
        assertThat(LifecyclePlanner.plan(observe(3, 3, pods(3, "old"), fenced, null)).warning()).contains("broker 1 not registered");
        assertThat(LifecyclePlanner.plan(observe(3, 3, pods(3, "old"), null, null)).action()).isEqualTo(Action.NONE);
    }

    // ---- rebalance and leaders

    @Test
    void newBrokersGetAFairShareOnceTheyAreRegistered() {
        KafkaState threeOnly = new KafkaState("cid", 0, Fixtures.brokers(4), spread("t", 12, 2, 3), Set.of());
        Map<Integer, KafkaState.Broker> notYet = new HashMap<>(Fixtures.brokers(3));
        Plan waiting = LifecyclePlanner.plan(observe(5, 5, pods(5, HASH),
                new KafkaState("cid", 0, notYet, spread("t", 12, 2, 3), Set.of()), null));
        assertThat(waiting.action()).isEqualTo(Action.NONE);
        assertThat(waiting.busy()).as("rechecks soon").isTrue();

        Plan plan = LifecyclePlanner.plan(observe(4, 4, pods(4, HASH), threeOnly, null));
        assertThat(plan.action()).isInstanceOf(Action.Reassign.class);
        assertThat(((Action.Reassign) plan.action()).targets().values()).allSatisfy(r -> assertThat(r).contains(3));
        assertThat(plan.progressReason()).isEqualTo("Rebalancing");
    }

    @Test
    void nothingIsRebalancedUntilEveryPodHasBeenReadyForAWhile() {
        KafkaState unbalanced = new KafkaState("cid", 0, Fixtures.brokers(4), spread("t", 12, 2, 3), Set.of());
        List<PodState> pods = new ArrayList<>(pods(4, HASH));
        pods.set(3, new PodState("c-broker-3", 3, NOW.minusSeconds(1), false, HASH));
        Plan waiting = LifecyclePlanner.plan(observe(4, 4, pods, unbalanced, null));
        assertThat(waiting.action()).isEqualTo(Action.NONE);
        assertThat(waiting.busy()).as("rechecks soon").isTrue();
        pods.set(3, new PodState("c-broker-3", 3, NOW.minus(LifecyclePlanner.ROLL_SETTLE), false, HASH));
        assertThat(LifecyclePlanner.plan(observe(4, 4, pods, unbalanced, null)).action()).isInstanceOf(Action.Reassign.class);
    }

    @Test
    void preferredLeadersAreSpreadByReorderingBeforeElections() {
        // replicas balanced (4 each), but broker 0 is the preferred leader of 4 partitions and broker 2 of none
        KafkaState skewed = kafka(3, List.of(partition("t", 0, List.of(0, 1)), partition("t", 1, List.of(0, 2)),
                partition("t", 2, List.of(0, 1)), partition("t", 3, List.of(0, 2)), partition("t", 4, List.of(1, 2)),
                partition("t", 5, List.of(1, 2))));
        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), skewed, null));
        assertThat(plan.action()).isInstanceOf(Action.Reassign.class);
        assertThat(plan.progress()).contains("preferred leaders");
        ((Action.Reassign) plan.action()).targets().forEach((id, replicas) -> assertThat(replicas)
                .containsExactlyInAnyOrderElementsOf(skewed.partitions().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow().replicas()));
    }

    @Test
    void preferredLeadersAreElectedOnceReplicasAreBalanced() {
        KafkaState offPreferred = kafka(3, List.of(partition("t", 0, List.of(0, 1), List.of(0, 1), 1),
                partition("t", 1, List.of(1, 2), List.of(2), 2), partition("t", 2, List.of(2, 0))));
        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), offPreferred, null));
        // t-1's preferred leader is out of sync: the partition is under-replicated, so nothing happens yet
        assertThat(plan.action()).isEqualTo(Action.NONE);

        KafkaState inSync = kafka(3, List.of(partition("t", 0, List.of(0, 1), List.of(0, 1), 1), partition("t", 1, List.of(1, 2))));
        assertThat(LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), inSync, null)).action())
                .isEqualTo(new Action.ElectPreferredLeaders(Set.of(new PartitionId("t", 0))));
        Plan idle = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), kafka(3, spread("t", 3, 2, 3)), null));
        assertThat(idle.action()).isEqualTo(Action.NONE);
        assertThat(idle.busy()).isFalse();
        assertThat(idle.warningReason()).isNull();
        assertThat(idle.clusterId()).isEqualTo("cid");
    }

    // ---- health

    @Test
    void aReadyPodWhoseBrokerIsNotRegisteredIsUnhealthy() {
        Map<Integer, KafkaState.Broker> two = new HashMap<>(Fixtures.brokers(2));
        Plan plan = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), new KafkaState("cid", 0, two, spread("t", 2, 2, 2), Set.of()), null));
        assertThat(plan.warningReason()).isEqualTo("BrokerUnhealthy");
        assertThat(plan.warning()).contains("brokers 2 have Ready pods");

        List<PodState> justStarted = new ArrayList<>(pods(2, HASH));
        justStarted.add(new PodState("c-broker-2", 2, NOW.minusSeconds(1), false, HASH));
        assertThat(LifecyclePlanner.plan(observe(3, 3, justStarted, new KafkaState("cid", 0, two, List.of(), Set.of()), null))
                .warningReason()).as("a broker gets time to register").isNull();
    }

    @Test
    void offlinePartitionsAndUnreachableBrokersAreUnhealthy() {
        Plan offline = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), kafka(3, List.of(partition("t", 0, List.of(0), List.of(0), -1))), null));
        assertThat(offline.warningReason()).isEqualTo("BrokerUnhealthy");
        assertThat(offline.warning()).contains("1 partition(s) offline");
        Plan unreachable = LifecyclePlanner.plan(observe(3, 3, pods(3, HASH), null, null));
        assertThat(unreachable.warning()).contains("cannot reach the brokers");
        assertThat(LifecyclePlanner.plan(observe(3, 3, List.of(), null, null)).warningReason()).as("no Ready pod yet").isNull();
    }

    @Test
    void withoutAStatefulSetThereIsNothingToDo() {
        Observation none = new Observation(3, Fixtures.VOTERS, null, null, List.of(), java.util.Optional.empty(), "x", null, NOW);
        assertThat(LifecyclePlanner.plan(none)).isEqualTo(new Plan(Action.NONE, null, null, null, null, null, null));
    }

    private static Observation at(Observation o, Instant now) {
        return new Observation(o.wanted(), o.voters(), o.statefulSetReplicas(), o.templateConfigHash(), o.pods(), o.kafka(),
                o.kafkaError(), o.drain(), now);
    }
}
