package io.strand.broker.server.coordinator;

/** A group of either protocol; one group id has exactly one type. Not thread-safe: the owning shard's lock guards it. */
sealed interface Group permits ClassicGroup, ConsumerGroup {
    String groupId();

    /** "classic" or "consumer", as ListGroups reports it. */
    String type();

    /** The state as clients see it (e.g. "Stable"). */
    String stateName();

    /** The protocol type ListGroups reports ("consumer" for consumer groups). */
    String protocolType();

    boolean isEmpty();

    /** When the group last changed state; offsets retention counts from when it became empty. */
    long stateTimestamp();

    /** Whether any member's subscription includes {@code topic} (OffsetDelete refuses to delete those offsets). */
    boolean isSubscribedTo(String topic);
}
