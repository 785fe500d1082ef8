package io.strand.broker.server.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A relay's broker connection answers, or fails in bounded time: it never leaves a client waiting forever. */
class UpstreamTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void responsesAreMatchedToRequestsInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> broker = CompletableFuture.runAsync(() -> answerTwoApiVersions(server));
            Upstream upstream = onLoop(() -> Upstream.open(loop, "127.0.0.1", server.getLocalPort(), 1 << 20));
            CompletableFuture<ApiMessage> first = onLoop(() -> apiVersions(upstream, 5_000));
            CompletableFuture<ApiMessage> second = onLoop(() -> apiVersions(upstream, 5_000));
            assertThat(((ApiVersionsResponseData) first.get(10, TimeUnit.SECONDS)).throttleTimeMs()).isEqualTo(1);
            assertThat(((ApiVersionsResponseData) second.get(10, TimeUnit.SECONDS)).throttleTimeMs()).isEqualTo(2);
            broker.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSilentBrokerFailsEveryRequestInFlightAfterTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Upstream upstream = onLoop(() -> Upstream.open(loop, "127.0.0.1", server.getLocalPort(), 1 << 20));
            CompletableFuture<ApiMessage> first = onLoop(() -> apiVersions(upstream, 300));
            CompletableFuture<ApiMessage> second = onLoop(() -> apiVersions(upstream, 60_000));
            try (Socket accepted = server.accept()) {
                assertFailsWithNetworkError(first);
                assertFailsWithNetworkError(second);
                assertThat(onLoop(() -> upstream.usable("127.0.0.1", server.getLocalPort()))).isFalse();
            }
        }
    }

    @Test
    void anUnreachableBrokerFailsAtOnce() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Upstream upstream = onLoop(() -> Upstream.open(loop, "127.0.0.1", closedPort, 1 << 20));
        assertFailsWithNetworkError(onLoop(() -> apiVersions(upstream, 60_000)));
    }

    private CompletableFuture<ApiMessage> apiVersions(Upstream upstream, long timeoutMs) {
        return upstream.send(ApiKeys.API_VERSIONS, (short) 3, "test", new ApiVersionsRequestData().setClientSoftwareName("t")
                .setClientSoftwareVersion("1"), true, timeoutMs);
    }

    private static void assertFailsWithNetworkError(CompletableFuture<ApiMessage> result) {
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NetworkException.class);
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> call) throws Exception {
        return loop.submit(call).get(10, TimeUnit.SECONDS);
    }

    /** A minimal broker: reads two requests, answers them in order with throttle times 1 and 2. */
    private static void answerTwoApiVersions(ServerSocket server) {
        try (Socket socket = server.accept()) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int throttle = 1; throttle <= 2; throttle++) {
                byte[] request = new byte[in.readInt()];
                in.readFully(request);
                int correlationId = ByteBuffer.wrap(request).getInt(4);
                ByteBuffer header = MessageUtil.toByteBufferAccessor(new ResponseHeaderData().setCorrelationId(correlationId), (short) 0).buffer();
                ByteBuffer body = MessageUtil.toByteBufferAccessor(new ApiVersionsResponseData().setThrottleTimeMs(throttle), (short) 3).buffer();
                out.writeInt(header.remaining() + body.remaining());
                out.write(header.array(), header.arrayOffset() + header.position(), header.remaining());
                out.write(body.array(), body.arrayOffset() + body.position(), body.remaining());
                out.flush();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
