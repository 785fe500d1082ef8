package io.strand.broker.server.handlers;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;

/** The broker has no authorizer: every client may do everything. These are the bit sets Kafka reports for that. */
final class Authorization {
    static final int ALL_TOPIC_OPERATIONS = bits(EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE,
            AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));
    static final int ALL_CLUSTER_OPERATIONS = bits(EnumSet.of(AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE));

    private Authorization() {
    }

    private static int bits(Set<AclOperation> operations) {
        int bits = 0;
        for (AclOperation op : operations) {
            bits |= 1 << op.code();
        }
        return bits;
    }
}
