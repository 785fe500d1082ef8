package io.strand.broker.server.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strand.broker.server.handlers.ApiHandlers;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The Kafka listener: Netty accepting connections and framing requests by their 4-byte size prefix. */
public final class KafkaServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private KafkaServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
    }

    public static KafkaServer start(String host, int port, int threads, int maxFrameBytes, int maxPendingPerConnection,
                                    ApiHandlers handlers, RequestMetrics metrics) throws InterruptedException {
        return start(host, port, threads, maxFrameBytes, maxPendingPerConnection, handlers, metrics, null);
    }

    /**
     * Like the plain start, with {@code connectionHook} (a sharable handler, may be null) in every connection's
     * pipeline before the request handler: it sees each connection open and close, so per-connection state kept
     * outside the handlers (the relay's broker connections) lives exactly as long as the client's connection.
     */
    public static KafkaServer start(String host, int port, int threads, int maxFrameBytes, int maxPendingPerConnection,
                                    ApiHandlers handlers, RequestMetrics metrics, ChannelHandler connectionHook) throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("strand-accept"), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("strand-network"), NioIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // failFast: a frame whose declared size exceeds the limit is refused on reading the
                            // 4-byte prefix, before any of it is buffered.
                            ch.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4, true));
                            if (connectionHook != null) {
                                ch.pipeline().addLast("connection", connectionHook);
                            }
                            ch.pipeline().addLast("kafka", new ConnectionHandler(handlers, metrics, maxPendingPerConnection));
                        }
                    });
            InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            Channel channel = bootstrap.bind(address).sync().channel();
            return new KafkaServer(boss, workers, channel);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        // Bounded waits: shutdown must finish (and logs be closed cleanly) even if an event loop is wedged.
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
