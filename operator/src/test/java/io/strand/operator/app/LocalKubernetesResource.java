package io.strand.operator.app;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strand.k8s.testenv.ControlPlane;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.testing.Crds;
import java.util.Map;

/**
 * Points the Quarkus application at the test JVM's Kubernetes control plane (the one the other ITs share), with the
 * CRDs from crds/ installed and the controllers limited to one namespace, so the application's operator never touches
 * what other test classes create.
 */
public class LocalKubernetesResource implements QuarkusTestResourceLifecycleManager {

    static final String NAMESPACE = "strand-operator-app";

    @Override
    public Map<String, String> start() {
        ControlPlane controlPlane = KubernetesControlPlane.shared();
        KubernetesClient client = controlPlane.client();
        Crds.install(client);
        if (client.namespaces().withName(NAMESPACE).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        }
        // fabric8's Config.autoConfigure, which Quarkus' client producer starts from, reads this property
        System.setProperty("kubeconfig", controlPlane.kubeconfig().toString());
        return Map.of(
                "quarkus.kubernetes-client.devservices.enabled", "false",
                "quarkus.operator-sdk.controllers.kafkacluster.namespaces", NAMESPACE,
                "quarkus.operator-sdk.controllers.topic.namespaces", NAMESPACE);
    }

    @Override
    public void stop() {
        // the control plane belongs to the whole test JVM; KubernetesControlPlane stops it
    }
}
