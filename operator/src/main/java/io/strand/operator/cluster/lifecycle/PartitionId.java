package io.strand.operator.cluster.lifecycle;

/** A topic partition, without depending on kafka-clients in the pure planner's types. */
public record PartitionId(String topic, int partition) implements Comparable<PartitionId> {

    @Override
    public int compareTo(PartitionId other) {
        int byTopic = topic.compareTo(other.topic);
        return byTopic != 0 ? byTopic : Integer.compare(partition, other.partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
