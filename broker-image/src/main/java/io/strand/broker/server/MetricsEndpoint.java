package io.strand.broker.server;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} in the Prometheus text format on its own port. Before each scrape {@code beforeScrape}
 * brings the meters of changing sets (partitions, group offsets) up to date, so that work is paid per scrape, not per
 * request; its failure must not cost the rest of the scrape.
 *
 * <p>Also {@code GET /ready}: 200 once the broker is registered with the controller and unfenced (it can lead
 * partitions and serve clients), 503 before and while shutting down. Kubernetes readiness probes use it: an open
 * client port alone says only that the process listens.
 */
final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry, Runnable beforeScrape,
                                 BooleanSupplier ready) throws IOException {
        HttpServer server = HttpServer.create(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", exchange -> {
            try {
                beforeScrape.run();
            } catch (RuntimeException e) {
                LOG.warn("Refreshing metrics before a scrape failed", e);
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/ready", exchange -> {
            boolean isReady = ready.getAsBoolean();
            byte[] body = (isReady ? "ready\n" : "not ready: not registered with the controller, fenced or shutting down\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(isReady ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return new MetricsEndpoint(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
