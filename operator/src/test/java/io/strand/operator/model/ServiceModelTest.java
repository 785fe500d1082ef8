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

    @Test
    void aTunnelListenerGetsItsOwnServiceOnTheAdvertisedPortTargetingTheRelayPort() {
        KafkaCluster cluster = TestClusters.cluster(3);
        assertThat(ServiceModel.tunnel(cluster)).as("no tunnel listener, no Service").isEmpty();

        cluster.getSpec().setListeners(List.of(new Listener("plain", 9092), Listener.tunnel("tunnel", 9094)));
        Service service = ServiceModel.tunnel(cluster).orElseThrow();
        assertThat(service.getMetadata().getName()).isEqualTo("events-tunnel");
        assertThat(service.getMetadata().getLabels()).isEqualTo(ClusterResources.labels("events"));
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getStrVal())
                .as("port-forward svc/events-tunnel 9092 lands on the relay listener, which advertises localhost:9092")
                .containsExactly(tuple("tunnel", 9092, "tunnel"));

        StatefulSet sts = StatefulSetModel.statefulSet(cluster, List.of(0, 1, 2), OperatorSettings.defaults(), "hash");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .anySatisfy(cp -> {
                    assertThat(cp.getName()).isEqualTo("tunnel");
                    assertThat(cp.getContainerPort()).isEqualTo(9094);
                });
        assertThat(ServiceModel.bootstrap(cluster).getSpec().getPorts()).extracting(ServicePort::getPort)
                .as("the internal listener is unchanged").containsExactly(9092);
    }

    @Test
    void theTunnelServiceFollowsTheAdvertisedPort() {
        KafkaCluster cluster = TestClusters.cluster(1);
        Listener tunnel = Listener.tunnel("tunnel", 9094);
        tunnel.setAdvertisedPort(19092);
        cluster.getSpec().setListeners(List.of(tunnel, new Listener("plain", 9192)));
        assertThat(ServiceModel.tunnel(cluster).orElseThrow().getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(19092);
        assertThat(ServiceModel.bootstrap(cluster).getSpec().getPorts()).extracting(ServicePort::getPort)
                .as("the internal listener need not come first").containsExactly(9192);
    }
}
