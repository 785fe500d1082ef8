package io.strand.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The operator as it ships: the Quarkus application with every reconciler, started against the local control plane.
 * It must find its beans, reconcile a KafkaCluster into its objects, report healthy informers and expose JOSDK's reconcile
 * metrics on /q/metrics.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKubernetesResource.class, restrictToAnnotatedClass = true)
class OperatorApplicationIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void reconcilesAClusterAndReportsHealthAndMetrics() throws Exception {
        KubernetesClient client = KubernetesControlPlane.shared().client();
        KafkaCluster cluster = new KafkaCluster();
        cluster.getMetadata().setName("app");
        cluster.getMetadata().setNamespace(LocalKubernetesResource.NAMESPACE);
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(3);
        Storage storage = new Storage();
        storage.setSize("1Gi");
        spec.setStorage(storage);
        cluster.setSpec(spec);
        client.resource(cluster).create();

        // no broker runs behind the fake pods, so "reconciled" is the bar here, not Ready
        eventually("the cluster to be reconciled into a StatefulSet", () -> {
            KafkaCluster seen = client.resources(KafkaCluster.class).inNamespace(LocalKubernetesResource.NAMESPACE)
                    .withName("app").get();
            return seen != null && seen.getStatus() != null && Long.valueOf(1).equals(seen.getStatus().getObservedGeneration())
                    && !client.apps().statefulSets().inNamespace(LocalKubernetesResource.NAMESPACE).list().getItems().isEmpty();
        });

        HttpResponse<String> health = get(ready);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\": \"UP\"");

        eventually("reconcile metrics of the kafkacluster controller", () -> {
            String body = get(metrics).body();
            return body.lines().anyMatch(l -> l.startsWith("operator_sdk_") && l.contains("kafkacluster"));
        });
        client.resource(cluster).delete();
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void eventually(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
