package io.strand.broker.server.coordinator;

import java.util.EnumSet;
import java.util.Set;

/**
 * The classic (JoinGroup/SyncGroup) group protocol's states, with the transitions Kafka allows. A transition not listed
 * is a coordinator bug, so {@link ClassicGroup#transitionTo} throws rather than let a group drift into an impossible state.
 */
public enum ClassicGroupState {
    /** No members; the group may still have committed offsets. */
    EMPTY("Empty"),
    /** Waiting for every member to (re)join before a new generation starts. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** A new generation was formed; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Every member has its assignment. */
    STABLE("Stable"),
    /** Deleted (or its shard unloaded); requests that still hold it must retry. */
    DEAD("Dead");

    private final String wireName;

    ClassicGroupState(String wireName) {
        this.wireName = wireName;
    }

    /** The name clients see in ListGroups and DescribeGroups. */
    public String wireName() {
        return wireName;
    }

    Set<ClassicGroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(EMPTY, STABLE, COMPLETING_REBALANCE);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.allOf(ClassicGroupState.class);
        };
    }
}
