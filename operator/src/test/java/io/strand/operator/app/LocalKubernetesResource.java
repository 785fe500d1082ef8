package io.strand.operator.app;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strand.k8s.testenv.ControlPlane;
import io.strand.k8s.testenv.KubernetesControlPlane;
import io.strand.operator.testing.Crds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the Quarkus application at the test JVM's Kubernetes control plane (the one the other ITs share), with the
 * CRDs from crds/ installed and the controllers limited to one namespace, so the application's operator never touches
 * what other test classes create.
 *
 * <p>Everything the application reaches is spelled out rather than left to defaults that depend on the machine: the
 * API server's address and credentials come from the control plane's kubeconfig (not from KUBECONFIG, ~/.kube or a
 * service account the test machine may have), and the HTTP server listens on 127.0.0.1 on a free port (Quarkus'
 * test default is "localhost", which may resolve to an IPv6 address the machine cannot bind, on the fixed port 8081).
 */
public class LocalKubernetesResource implements QuarkusTestResourceLifecycleManager {

    static final String NAMESPACE = "strand-operator-app";

    @Override
    public Map<String, String> start() {
        try {
            return configure(KubernetesControlPlane.shared());
        } catch (RuntimeException | Error e) {
            // Quarkus reports a failed test resource as a bare InvocationTargetException: say what failed here
            System.err.println("LocalKubernetesResource: cannot prepare the control plane for the application: " + e);
            e.printStackTrace();
            throw e;
        }
    }

    private static Map<String, String> configure(ControlPlane controlPlane) {
        KubernetesClient client = controlPlane.client();
        Crds.install(client);
        if (client.namespaces().withName(NAMESPACE).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        }
        Config kubeconfig;
        try {
            kubeconfig = Config.fromKubeconfig(null, Files.readString(controlPlane.kubeconfig()), controlPlane.kubeconfig().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + controlPlane.kubeconfig(), e);
        }
        // fabric8's Config.autoConfigure, which Quarkus' client producer starts from, reads this property; the
        // explicit settings below take precedence over whatever else it finds
        System.setProperty("kubeconfig", controlPlane.kubeconfig().toString());
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.devservices.enabled", "false");
        config.put("quarkus.kubernetes-client.api-server-url", kubeconfig.getMasterUrl());
        config.put("quarkus.kubernetes-client.ca-cert-data", kubeconfig.getCaCertData());
        config.put("quarkus.kubernetes-client.client-cert-data", kubeconfig.getClientCertData());
        config.put("quarkus.kubernetes-client.client-key-data", kubeconfig.getClientKeyData());
        config.put("quarkus.kubernetes-client.namespace", NAMESPACE);
        config.put("quarkus.operator-sdk.controllers.kafkacluster.namespaces", NAMESPACE);
        config.put("quarkus.operator-sdk.controllers.topic.namespaces", NAMESPACE);
        config.put("quarkus.http.host", "127.0.0.1");
        config.put("quarkus.http.test-host", "127.0.0.1");
        config.put("quarkus.http.test-port", "0");
        return config;
    }

    @Override
    public void stop() {
        // the control plane belongs to the whole test JVM; KubernetesControlPlane stops it
    }
}
