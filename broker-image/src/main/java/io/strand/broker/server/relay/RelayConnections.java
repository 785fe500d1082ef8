package io.strand.broker.server.relay;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The broker connections of every relay client connection, keyed by the client's address (unique among open
 * connections), opened on first use and closed with the client's connection. Giving each client connection its own
 * connections to the brokers keeps what a direct client has: its requests to one broker stay in order (idempotent
 * produce relies on it), and one client's long-polling fetch never holds back another client's responses.
 */
@ChannelHandler.Sharable
final class RelayConnections extends ChannelInboundHandlerAdapter {
    private final Map<SocketAddress, Brokers> byClient = new ConcurrentHashMap<>();
    private final int maxFrameBytes;

    RelayConnections(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        byClient.put(ctx.channel().remoteAddress(), new Brokers(ctx.channel().eventLoop()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Brokers brokers = byClient.remove(ctx.channel().remoteAddress());
        if (brokers != null) {
            brokers.loop.execute(brokers::close);
        }
        ctx.fireChannelInactive();
    }

    /** Sends a request for the client at {@code client} to the broker at host:port; callable from any thread. */
    CompletableFuture<ApiMessage> send(SocketAddress client, int brokerId, String host, int port, ApiKeys key, short version, String clientId,
                                       ApiMessage body, boolean expectResponse, long timeoutMs) {
        Brokers brokers = byClient.get(client);
        if (brokers == null) {
            return CompletableFuture.failedFuture(new NetworkException("client " + client + " is gone"));
        }
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        Runnable send = () -> brokers.upstream(brokerId, host, port).send(key, version, clientId, body, expectResponse, timeoutMs)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
        if (brokers.loop.inEventLoop()) {
            send.run();
        } else {
            brokers.loop.execute(send);
        }
        return result;
    }

    /** One client connection's broker connections; confined to its event loop. */
    private final class Brokers {
        final EventLoop loop;
        final Map<Integer, Upstream> upstreams = new HashMap<>();
        boolean closed;

        Brokers(EventLoop loop) {
            this.loop = loop;
        }

        Upstream upstream(int brokerId, String host, int port) {
            Upstream current = upstreams.get(brokerId);
            if (current != null && current.usable(host, port)) {
                return current;
            }
            if (current != null) {
                current.close();
            }
            Upstream opened = Upstream.open(loop, host, port, maxFrameBytes);
            if (closed) {
                opened.close(); // the client left while this request was on its way: fail it at once
            } else {
                upstreams.put(brokerId, opened);
            }
            return opened;
        }

        void close() {
            closed = true;
            upstreams.values().forEach(Upstream::close);
            upstreams.clear();
        }
    }
}
