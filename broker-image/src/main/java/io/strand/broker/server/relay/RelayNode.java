package io.strand.broker.server.relay;

/**
 * The one broker relay clients see: a synthetic id shared by every broker's relay listener (so connections a
 * Service spreads over several brokers describe the same cluster) at the address the clients were given.
 */
public record RelayNode(int id, String host, int port) {
}
