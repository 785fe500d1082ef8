package io.strand.operator.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.strand.k8s.testenv.ControlPlane;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;
import io.strand.operator.cluster.KafkaClusterReconciler;
import io.strand.operator.testing.Crds;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reconcile benchmark (profile bench, see TopicReconcileBenchmark): time and Kubernetes API requests for the
 * KafkaCluster reconciler to turn a new 3-broker cluster into its objects until the StatefulSet reports 3 Ready pods
 * (KWOK's, so the time is the operator's and the control plane's, not a JVM's start), and what it costs at rest.
 * No broker answers behind the fake pods; the reconciler's Admin calls fail fast on the unresolvable bootstrap name.
 */
@ExtendWith(KubernetesControlPlane.class)
class ClusterReconcileBenchmark {

    private static final String NAMESPACE = "bench-cluster";

    @Test
    void threeBrokerCluster(ControlPlane controlPlane) throws Exception {
        Crds.install(controlPlane.client());
        ApiCallCounter counter = new ApiCallCounter();
        try (KubernetesClient operatorClient = ApiCallCounter.countingClient(controlPlane.kubeconfig(), counter)) {
            KubernetesClient client = controlPlane.client();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
            Operator operator = new Operator(o -> o.withKubernetesClient(operatorClient).withCloseClientOnStop(false));
            operator.register(new KafkaClusterReconciler(), o -> o.settingNamespace(NAMESPACE));
            operator.start();
            try {
                Map<String, Long> before = counter.snapshot();
                long t0 = System.nanoTime();
                client.resource(cluster()).create();
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!readyReplicas(client, 3)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the cluster's status did not report 3 ready brokers within 3 minutes");
                    }
                    Thread.sleep(50);
                }
                print("converge 3 brokers", t0, ApiCallCounter.minus(counter.snapshot(), before));
                Map<String, Long> rest = counter.snapshot();
                long t1 = System.nanoTime();
                Thread.sleep(30_000);
                print("at rest for 30 s", t1, ApiCallCounter.minus(counter.snapshot(), rest));
            } finally {
                operator.stop();
                client.namespaces().withName(NAMESPACE).delete();
            }
        }
    }

    private static boolean readyReplicas(KubernetesClient client, int count) {
        KafkaCluster seen = client.resources(KafkaCluster.class).inNamespace(NAMESPACE).withName("bench").get();
        return seen != null && seen.getStatus() != null && Integer.valueOf(count).equals(seen.getStatus().getReadyReplicas());
    }

    private static void print(String phase, long startNanos, Map<String, Long> calls) {
        System.out.printf("BENCH cluster-reconciler | %-22s | %7.2f s | API requests %s%n",
                phase, (System.nanoTime() - startNanos) / 1e9, calls);
    }

    private static KafkaCluster cluster() {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(3);
        spec.setStorage(new Storage("1Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace(NAMESPACE).build());
        cluster.setSpec(spec);
        return cluster;
    }
}
