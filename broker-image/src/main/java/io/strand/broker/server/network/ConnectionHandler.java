package io.strand.broker.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.strand.broker.protocol.ErrorResponses;
import io.strand.broker.protocol.KafkaRequest;
import io.strand.broker.protocol.KafkaResponse;
import io.strand.broker.protocol.MalformedRequestException;
import io.strand.broker.protocol.RequestDecoder;
import io.strand.broker.protocol.ResponseEncoder;
import io.strand.broker.protocol.UnsupportedApiVersionException;
import io.strand.broker.server.handlers.ApiHandler;
import io.strand.broker.server.handlers.ApiHandlers;
import io.strand.broker.server.handlers.ApiVersionsHandler;
import io.strand.broker.server.handlers.RequestContext;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Requests are handed to their API handler as they arrive, but responses leave in request
 * order: each request takes a slot in a FIFO, and the head is written only once complete. When too many requests
 * are in progress, or the socket's outbound buffer is full, the connection stops reading (back-pressure through
 * TCP) until it drains. All state is confined to the channel's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final RequestDecoder decoder;
    private final ApiHandlers handlers;
    private final RequestMetrics metrics;
    private final int maxPending;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    /** A request's place in the response order. */
    private static final class Slot {
        final KafkaRequest request;
        final long startNanos = System.nanoTime();
        ApiMessage response;
        boolean done;

        Slot(KafkaRequest request) {
            this.request = request;
        }
    }

    ConnectionHandler(ApiHandlers handlers, RequestMetrics metrics, int maxPending) {
        this.decoder = new RequestDecoder(handlers);
        this.handlers = handlers;
        this.metrics = metrics;
        this.maxPending = maxPending;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        KafkaRequest request;
        try {
            request = decoder.decode(frame);
        } catch (UnsupportedApiVersionException e) {
            frame.release();
            if (e.apiKey() == ApiKeys.API_VERSIONS) {
                // KIP-511: answer in v0 with our ranges so the client can retry with a version we implement.
                Slot slot = new Slot(new KafkaRequest(new org.apache.kafka.common.message.RequestHeaderData()
                        .setRequestApiKey(ApiKeys.API_VERSIONS.id).setRequestApiVersion((short) 0).setCorrelationId(e.correlationId()),
                        ApiKeys.API_VERSIONS, (short) 0, new org.apache.kafka.common.message.ApiVersionsRequestData()));
                slot.response = ApiVersionsHandler.response(handlers, Errors.UNSUPPORTED_VERSION);
                slot.done = true;
                slots.add(slot);
                drain();
                return;
            }
            close("unsupported request version: " + e.getMessage());
            return;
        } catch (MalformedRequestException e) {
            frame.release();
            close("malformed request: " + e.getMessage());
            return;
        }

        Slot slot = new Slot(request);
        slots.add(slot);
        ApiHandler<ApiMessage, ApiMessage> handler = handlers.get(request.apiKey());
        RequestContext context = new RequestContext(request.header(), request.apiKey(), request.version(), ctx.channel().remoteAddress(), ctx.executor());
        CompletionStage<ApiMessage> stage;
        try {
            stage = handler.handle(context, request.body());
        } catch (Exception e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((response, error) -> {
            ApiMessage body = response;
            if (error != null) {
                body = errorResponse(request, error);
            }
            frame.release();
            ApiMessage finalBody = body;
            if (ctx.executor().inEventLoop()) {
                complete(slot, finalBody);
            } else {
                ctx.executor().execute(() -> complete(slot, finalBody));
            }
        });
        if (slots.size() >= maxPending) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private ApiMessage errorResponse(KafkaRequest request, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        if (Errors.forException(cause) == Errors.UNKNOWN_SERVER_ERROR) {
            LOG.error("{} v{} from {} (client {}) failed", request.apiKey(), request.version(), ctx.channel().remoteAddress(), request.clientId(), cause);
        }
        try {
            return ErrorResponses.forRequest(request, cause);
        } catch (RuntimeException e) {
            LOG.error("Cannot build an error response for {} v{}", request.apiKey(), request.version(), e);
            return null;
        }
    }

    private void complete(Slot slot, ApiMessage response) {
        slot.response = response;
        slot.done = true;
        drain();
    }

    private void drain() {
        if (!ctx.channel().isActive()) {
            slots.clear();
            return;
        }
        boolean wrote = false;
        while (!slots.isEmpty() && slots.peek().done) {
            Slot slot = slots.poll();
            KafkaRequest request = slot.request;
            metrics.record(request.apiKey(), System.nanoTime() - slot.startNanos);
            if (!ErrorResponses.hasResponse(request)) {
                continue;
            }
            if (slot.response == null) {
                close("no response could be built for " + request.apiKey());
                return;
            }
            List<Object> parts;
            try {
                parts = ResponseEncoder.encode(ctx.alloc(), new KafkaResponse(request.correlationId(), request.apiKey(), request.version(), slot.response));
            } catch (UnsupportedVersionException | IllegalArgumentException e) {
                LOG.error("Cannot encode {} v{} response", request.apiKey(), request.version(), e);
                close("response encoding failed");
                return;
            }
            for (Object part : parts) {
                ctx.write(part, ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        updateAutoRead();
    }

    private void updateAutoRead() {
        boolean read = slots.size() < maxPending && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        slots.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || (cause instanceof DecoderException && !(cause.getCause() instanceof IOException))) {
            close("bad frame: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            LOG.warn("Closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    private void close(String reason) {
        LOG.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        slots.clear();
        ctx.close();
    }
}
