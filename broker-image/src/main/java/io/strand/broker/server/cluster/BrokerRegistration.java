package io.strand.broker.server.cluster;

/**
 * A broker as the metadata quorum knows it. {@code incarnation} changes every time the broker process starts
 * (so a restarted broker is told apart from its previous life); {@code fenced} brokers lead nothing and are not in
 * any ISR; {@code shuttingDown} brokers are handing leadership away before they exit. Immutable.
 */
public record BrokerRegistration(int id, String host, int port, String rack, long incarnation, boolean fenced, boolean shuttingDown) {
    public BrokerRegistration withFenced(boolean value) {
        return new BrokerRegistration(id, host, port, rack, incarnation, value, value ? false : shuttingDown);
    }

    public BrokerRegistration withShuttingDown(boolean value) {
        return new BrokerRegistration(id, host, port, rack, incarnation, fenced, value);
    }

    /** Usable for leadership and ISR membership. */
    public boolean active() {
        return !fenced && !shuttingDown;
    }
}
