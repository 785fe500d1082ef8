package io.strand.broker.server.handlers;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;

/** What the group API handlers share. Stateless. */
final class GroupHandlers {
    /** No authorizer: Kafka's bits for READ, DELETE and DESCRIBE on a group. */
    static final int ALL_GROUP_OPERATIONS = (1 << AclOperation.READ.code()) | (1 << AclOperation.DELETE.code()) | (1 << AclOperation.DESCRIBE.code());

    private GroupHandlers() {
    }

    /** The client's address as Kafka reports it in DescribeGroups ("/127.0.0.1"). */
    static String clientHost(RequestContext context) {
        if (context.remote() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return "/" + inet.getAddress().getHostAddress();
        }
        return String.valueOf(context.remote());
    }

    /** Completes with every result, in order, once all have completed. */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<T> out = new ArrayList<>(futures.size());
            futures.forEach(f -> out.add(f.join()));
            return out;
        });
    }
}
