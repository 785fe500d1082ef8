package io.strand.broker.server.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.strand.broker.protocol.ClientCodec;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One connection from the relay to a broker's ordinary listener, on the event loop of the client connection it
 * serves: requests go out in the order sent and responses are matched FIFO by correlation id, like any Kafka client
 * connection. Any failure (connect, timeout, unexpected response, close) fails every request in flight and closes
 * the connection: after a lost response the FIFO can no longer be trusted. Confined to its event loop.
 */
final class Upstream {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final EventLoop loop;
    private final String host;
    private final int port;
    private final Channel channel;
    private final ChannelFuture connected;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private int correlationId;
    private boolean closed;

    private record InFlight(int correlationId, ApiKeys key, short version, CompletableFuture<ApiMessage> result, ScheduledFuture<?> timeout) {
    }

    private Upstream(EventLoop loop, String host, int port, int maxFrameBytes) {
        this.loop = loop;
        this.host = host;
        this.port = port;
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4, true));
                        ch.pipeline().addLast(new Responses());
                    }
                });
        connected = bootstrap.connect(host, port);
        channel = connected.channel();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                fail(new NetworkException("cannot connect to " + host + ":" + port + ": " + f.cause()));
            }
        });
        channel.closeFuture().addListener(f -> fail(new NetworkException("connection to " + host + ":" + port + " closed")));
    }

    static Upstream open(EventLoop loop, String host, int port, int maxFrameBytes) {
        return new Upstream(loop, host, port, maxFrameBytes);
    }

    boolean usable(String targetHost, int targetPort) {
        return !closed && host.equals(targetHost) && port == targetPort;
    }

    /**
     * Sends {@code body} as {@code key} v{@code version}. Without {@code expectResponse} (acks=0 produce) the result
     * completes with null once written. Must be called on this connection's event loop.
     */
    CompletableFuture<ApiMessage> send(ApiKeys key, short version, String clientId, ApiMessage body, boolean expectResponse, long timeoutMs) {
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new NetworkException("connection to " + host + ":" + port + " is closed"));
            return result;
        }
        int id = ++correlationId;
        ByteBuf frame = Unpooled.wrappedBuffer(ClientCodec.encodeRequest(key, version, id, clientId, body));
        if (expectResponse) {
            ScheduledFuture<?> timeout = loop.schedule(() -> {
                if (!result.isDone()) {
                    fail(new NetworkException(key + " to " + host + ":" + port + " got no answer within " + timeoutMs + " ms"));
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
            inFlight.add(new InFlight(id, key, version, result, timeout));
        }
        // writes queue behind the connect, in call order; a failed connect fails the requests through fail()
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                frame.release();
                return;
            }
            channel.writeAndFlush(frame).addListener(w -> {
                if (!w.isSuccess()) {
                    fail(new NetworkException("write to " + host + ":" + port + " failed: " + w.cause()));
                } else if (!expectResponse) {
                    result.complete(null);
                }
            });
        });
        return result;
    }

    void close() {
        fail(new NetworkException("relay connection closed"));
    }

    private void fail(Throwable error) {
        closed = true;
        InFlight pending;
        while ((pending = inFlight.poll()) != null) {
            pending.timeout().cancel(false);
            pending.result().completeExceptionally(error);
        }
        channel.close();
    }

    private final class Responses extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            frame.release();
            InFlight head = inFlight.poll();
            if (head == null) {
                fail(new NetworkException("unexpected response from " + host + ":" + port));
                return;
            }
            head.timeout().cancel(false);
            try {
                // a heap copy: fetched records stay valid after this frame's buffer is gone
                ClientCodec.Response<ApiMessage> response = ClientCodec.decodeResponse(head.key(), head.version(), ByteBuffer.wrap(bytes));
                if (response.correlationId() != head.correlationId()) {
                    head.result().completeExceptionally(new NetworkException("correlation id " + response.correlationId() + " does not match " + head.correlationId()));
                    fail(new NetworkException("out-of-order response from " + host + ":" + port));
                    return;
                }
                head.result().complete(response.body());
            } catch (RuntimeException e) {
                head.result().completeExceptionally(new NetworkException("unreadable " + head.key() + " response: " + e));
                fail(new NetworkException("unreadable response from " + host + ":" + port));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(new NetworkException("connection to " + host + ":" + port + " failed: " + cause));
        }
    }
}
