package io.strand.operator.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A Kubernetes client that counts the requests it sends, by method (watches apart), for reconcile benchmarks. */
final class ApiCallCounter implements Interceptor {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    static KubernetesClient countingClient(Path kubeconfig, ApiCallCounter counter) throws IOException {
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("strand-bench-counter", counter)).build();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String query = request.uri().getQuery();
        String kind = query != null && query.contains("watch=true") ? "WATCH" : request.method();
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Counts so far, by method; the total under "ALL". */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        out.put("ALL", out.values().stream().mapToLong(Long::longValue).sum());
        return out;
    }

    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0L)));
        return out;
    }

}
