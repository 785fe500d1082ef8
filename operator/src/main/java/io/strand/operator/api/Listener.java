package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A client listener, plaintext: the {@code internal} one every cluster has, and optionally a {@code tunnel} one that
 * makes the whole cluster reachable through a single forwarded port.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type == 'tunnel' || (!has(self.advertisedHost) && !has(self.advertisedPort))",
        message = "advertisedHost and advertisedPort apply to tunnel listeners only")
public class Listener {

    public static final int DEFAULT_PORT = 9092;
    public static final String DEFAULT_TUNNEL_HOST = "localhost";
    public static final int DEFAULT_TUNNEL_ADVERTISED_PORT = 9092;

    @Required
    @Pattern("^[a-z][a-z0-9]{0,10}$")
    @JsonPropertyDescription("Listener name, unique within the cluster.")
    private String name;

    @Required
    @Min(1024)
    @Max(65535)
    @ValidationRule(value = "self != 9093 && self != 9404", message = "ports 9093 (controller) and 9404 (metrics) are taken")
    private Integer port;

    @Default("internal")
    @JsonPropertyDescription("internal: each broker at its own in-cluster address. tunnel: the whole cluster through one"
            + " forwarded port (kubectl port-forward svc/<cluster>-tunnel 9092, or an SSH tunnel); see docs/single-port.md.")
    private ListenerType type = ListenerType.INTERNAL;

    @Pattern("^[a-zA-Z0-9]([-a-zA-Z0-9.]{0,251}[a-zA-Z0-9])?$")
    @JsonPropertyDescription("tunnel only: the host clients use at their end of the tunnel. Default: localhost.")
    private String advertisedHost;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("tunnel only: the port clients use at their end of the tunnel, and the tunnel Service's"
            + " port. Default: 9092.")
    private Integer advertisedPort;

    public Listener() {
    }

    public Listener(String name, int port) {
        this.name = name;
        this.port = port;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public static Listener tunnel(String name, int port) {
        Listener listener = new Listener(name, port);
        listener.setType(ListenerType.TUNNEL);
        return listener;
    }

    public String getAdvertisedHost() {
        return advertisedHost;
    }

    public void setAdvertisedHost(String advertisedHost) {
        this.advertisedHost = advertisedHost;
    }

    public Integer getAdvertisedPort() {
        return advertisedPort;
    }

    public void setAdvertisedPort(Integer advertisedPort) {
        this.advertisedPort = advertisedPort;
    }

    public ListenerType getType() {
        return type;
    }

    public void setType(ListenerType type) {
        this.type = type;
    }
}
