package io.strand.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strand.operator.api.KafkaCluster;
import io.strand.operator.api.Listener;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceModelTest {

    @Test
    void headlessServicePublishesEveryPodWithKafkaAndControllerPorts() {
        Service service = ServiceModel.headless(TestClusters.cluster(3));
        assertThat(service.getMetadata().getName()).isEqualTo("events-brokers");
        assertThat(service.getMetadata().getNamespace()).isEqualTo("kafka");
        assertThat(service.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getStrVal())
                .containsExactly(tuple("kafka", 9092, "kafka"), tuple("controller", 9093, "controller"));
    }

    @Test
    void bootstrapServiceExposesOnlyTheClientPort() {
        Service service = ServiceModel.bootstrap(TestClusters.cluster(3));
        assertThat(service.getMetadata().getName()).isEqualTo("events-bootstrap");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getClusterIP()).as("left to the API server").isNull();
        assertThat(service.getSpec().getPublishNotReadyAddresses()).as("clients only reach ready brokers").isNull();
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(tuple("kafka", 9092));
    }

    @Test
    void bothServicesSelectTheBrokerPodsAndTargetNamedContainerPorts() {
        KafkaCluster cluster = TestClusters.cluster(3);
        StatefulSet sts = StatefulSetModel.statefulSet(cluster, List.of(0, 1, 2), OperatorSettings.defaults(), "hash");
        var podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        var containerPorts = sts.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        for (Service service : List.of(ServiceModel.headless(cluster), ServiceModel.bootstrap(cluster))) {
            assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(containerPorts).anySatisfy(cp -> {
                    assertThat(cp.getName()).isEqualTo(port.getTargetPort().getStrVal());
                    assertThat(cp.getContainerPort()).isEqualTo(port.getPort());
                });
            }
        }
    }

    @Test
    void aCustomListenerPortMovesTheKafkaPortOfBothServices() {
        KafkaCluster cluster = TestClusters.cluster(3);
        cluster.getSpec().setListeners(List.of(new Listener("plain", 19092)));
        assertThat(ServiceModel.headless(cluster).getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(19092, 9093);
        assertThat(ServiceModel.bootstrap(cluster).getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(19092);
    }
}
