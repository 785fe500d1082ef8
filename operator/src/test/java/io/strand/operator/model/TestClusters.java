package io.strand.operator.model;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.KafkaClusterSpec;
import io.strand.operator.api.Storage;

/** KafkaCluster resources for tests, as the API server would store them after defaulting. */
public final class TestClusters {

    public static final String NAME = "events";
    public static final String NAMESPACE = "kafka";

    private TestClusters() {
    }

    public static KafkaCluster cluster(int replicas) {
        KafkaClusterSpec spec = new KafkaClusterSpec();
        spec.setReplicas(replicas);
        spec.setStorage(new Storage("10Gi"));
        KafkaCluster cluster = new KafkaCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).withGeneration(1L).build());
        cluster.setSpec(spec);
        return cluster;
    }
}
