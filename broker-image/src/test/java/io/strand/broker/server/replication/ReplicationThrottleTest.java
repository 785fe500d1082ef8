package io.strand.broker.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicationThrottleTest {
    @Test
    void delaysOnceTheSecondsBudgetIsSpent() {
        ReplicationThrottle throttle = new ReplicationThrottle(1_000_000);
        assertThat(throttle.charge(600_000)).isZero();
        long wait = throttle.charge(900_000);
        // 500 KB over budget at 1 MB/s: about half a second
        assertThat(wait).isBetween(400L, 510L);
    }

    @Test
    void unlimitedByDefault() {
        ReplicationThrottle throttle = new ReplicationThrottle(Long.MAX_VALUE);
        assertThat(throttle.enabled()).isFalse();
        assertThat(throttle.charge(Integer.MAX_VALUE)).isZero();
    }
}
