package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaClusterSpec {

    /**
     * Keys the operator sets per cluster or per pod; letting users override them would break the quorum or the
     * pod-to-broker mapping, so the API server refuses them (the model also ignores them, for resources created
     * before this rule existed).
     */
    public static final List<String> RESERVED_CONFIG_KEYS = List.of("node.id", "listeners", "advertised.listeners",
            "controller.quorum.voters", "controller.listener.host", "controller.listener.port", "controller.advertised.host",
            "broker.rack", "log.dirs", "metrics.port", "relay.listener", "relay.advertised.listener");

    @SpecReplicas
    @PrinterColumn(name = "Replicas")
    @Min(1)
    @Default("3")
    @JsonPropertyDescription("Number of brokers. The first min(replicas, 3) brokers of a new cluster form the metadata quorum.")
    private Integer replicas = 3;

    @JsonPropertyDescription("Broker container image; the operator's default broker image when unset.")
    private String image;

    @JsonPropertyDescription("CPU and memory of each broker container.")
    private ResourceRequirements resources;

    private JvmOptions jvmOptions;

    @Required
    private Storage storage;

    @JsonPropertyDescription("Broker configuration overrides (docs/configuration.md); keys the operator owns are refused.")
    // bounds the cost the API server estimates for the rule below (there are fewer broker keys than this)
    @Size(max = 256)
    @ValidationRule(value = "!self.exists(k, k in ['node.id', 'listeners', 'advertised.listeners', 'controller.quorum.voters',"
            + " 'controller.listener.host', 'controller.listener.port', 'controller.advertised.host', 'broker.rack',"
            + " 'log.dirs', 'metrics.port', 'relay.listener', 'relay.advertised.listener'])",
            message = "config must not set node.id, listeners, advertised.listeners, controller.quorum.voters,"
                    + " controller.listener.host, controller.listener.port, controller.advertised.host, broker.rack,"
                    + " log.dirs, metrics.port, relay.listener or relay.advertised.listener: the operator sets them"
                    + " (a tunnel listener in spec.listeners sets the relay ones)")
    private Map<String, String> config;

    @JsonPropertyDescription("Spread replicas over the values of a node label; unset: no rack awareness.")
    private Rack rack;

    // PLAINTEXT only today; a list keeps the API open for TLS and external listeners.
    @Size(min = 1, max = 2)
    @ValidationRule(value = "self.filter(l, l.type == 'internal').size() == 1", message = "exactly one listener must be of type internal")
    @ValidationRule(value = "self.filter(l, l.type == 'tunnel').size() <= 1", message = "at most one listener may be of type tunnel")
    @ValidationRule(value = "self.all(a, self.filter(b, b.name == a.name).size() == 1)", message = "listener names must be unique")
    @ValidationRule(value = "self.all(a, self.filter(b, b.port == a.port).size() == 1)", message = "listener ports must be unique")
    @JsonPropertyDescription("Client listeners: one internal, and optionally one tunnel for access through a single"
            + " forwarded port. Default: internal on 9092.")
    private List<Listener> listeners;

    private Metrics metrics;

    @JsonPropertyDescription("Overrides applied to the broker pods.")
    private BrokerPodTemplate template;

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public JvmOptions getJvmOptions() {
        return jvmOptions;
    }

    public void setJvmOptions(JvmOptions jvmOptions) {
        this.jvmOptions = jvmOptions;
    }

    public Storage getStorage() {
        return storage;
    }

    public void setStorage(Storage storage) {
        this.storage = storage;
    }

    public Map<String, String> getConfig() {
        return config;
    }

    public void setConfig(Map<String, String> config) {
        this.config = config;
    }

    public Rack getRack() {
        return rack;
    }

    public void setRack(Rack rack) {
        this.rack = rack;
    }

    public List<Listener> getListeners() {
        return listeners;
    }

    public void setListeners(List<Listener> listeners) {
        this.listeners = listeners;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public void setMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    public BrokerPodTemplate getTemplate() {
        return template;
    }

    public void setTemplate(BrokerPodTemplate template) {
        this.template = template;
    }
}
