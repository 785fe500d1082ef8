package io.strand.broker.server.handlers;

import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;

/** Who sent a request and on which event loop it is being handled. */
public record RequestContext(RequestHeaderData header, ApiKeys apiKey, short version, SocketAddress remote, EventExecutor executor) {
    public String clientId() {
        return header.clientId();
    }
}
