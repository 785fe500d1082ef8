package io.strand.operator.kafka;

import io.strand.operator.api.KafkaCluster;
import org.apache.kafka.clients.admin.Admin;

/**
 * How the operator reaches a cluster's brokers: always through the public Admin API. The default connects to the
 * cluster's bootstrap Service; tests substitute one that maps a cluster to broker processes on 127.0.0.1.
 */
@FunctionalInterface
public interface KafkaAdminFactory {

    /** A new Admin client for the cluster's brokers; the caller closes it. */
    Admin create(KafkaCluster cluster);
}
