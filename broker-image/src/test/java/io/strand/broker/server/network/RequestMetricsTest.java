package io.strand.broker.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
    @Test
    void publishesAHistogramPerApiWithFixedBuckets() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics metrics = new RequestMetrics(registry, List.of(ApiKeys.PRODUCE, ApiKeys.FETCH));
        metrics.record(ApiKeys.PRODUCE, TimeUnit.MICROSECONDS.toNanos(300));
        metrics.record(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(3));
        metrics.record(ApiKeys.FETCH, TimeUnit.MILLISECONDS.toNanos(600));
        metrics.record(ApiKeys.METADATA, 1); // not registered: ignored

        String scrape = registry.scrape();
        assertThat(scrape).contains("# TYPE strand_requests_seconds histogram");
        assertThat(scrape).contains("strand_requests_seconds_bucket{api=\"Produce\",le=\"5.0E-4\"} 1")
                .contains("strand_requests_seconds_bucket{api=\"Produce\",le=\"0.002\"} 1")
                .contains("strand_requests_seconds_bucket{api=\"Produce\",le=\"0.005\"} 2")
                .contains("strand_requests_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 2")
                .contains("strand_requests_seconds_count{api=\"Produce\"} 2")
                .contains("strand_requests_seconds_bucket{api=\"Fetch\",le=\"0.5\"} 0")
                .contains("strand_requests_seconds_bucket{api=\"Fetch\",le=\"1.0\"} 1");
        assertThat(scrape).doesNotContain("api=\"Metadata\"");
        long fetchBuckets = scrape.lines().filter(l -> l.startsWith("strand_requests_seconds_bucket{api=\"Fetch\"")).count();
        assertThat(fetchBuckets).isEqualTo(RequestMetrics.BUCKETS.length + 1);
    }
}
