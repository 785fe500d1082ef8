package io.strand.broker.server.relay;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * How one partition-level API is split by partition leader and put back together. Pure: no I/O, so the order and
 * error rules can be tested without brokers.
 */
interface Routing<Q extends ApiMessage, R extends ApiMessage> {
    /** One request per target broker (insertion-ordered), each holding that broker's partitions in request order. */
    Map<Integer, Q> split(Q request, int self, LeaderLookup leaders);

    /**
     * The answer to {@code request} from the legs that answered, topics and partitions in request order. A partition
     * no leg answered (its leg failed) gets NOT_LEADER_OR_FOLLOWER: retriable, and it makes the client refresh its
     * metadata before retrying, by which time the relay routes with newer metadata too. Hints that name real brokers
     * (current leader, node endpoints) are dropped: relay clients must only ever see the relay node.
     */
    R merge(Q request, List<R> answers);
}
