package io.strand.operator.api;

import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;

/** For typed list and watch calls on KafkaClusters. */
public class KafkaClusterList extends DefaultKubernetesResourceList<KafkaCluster> {
}
