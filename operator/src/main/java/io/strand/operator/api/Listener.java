package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** A client listener; only plaintext, in-cluster ({@code internal}) listeners exist today. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Listener {

    public static final int DEFAULT_PORT = 9092;

    @Required
    @Pattern("^[a-z][a-z0-9]{0,10}$")
    @JsonPropertyDescription("Listener name; also the Service port name.")
    private String name;

    @Required
    @Min(1024)
    @Max(65535)
    @ValidationRule(value = "self != 9093 && self != 9404", message = "ports 9093 (controller) and 9404 (metrics) are taken")
    private Integer port;

    @Default("internal")
    private ListenerType type = ListenerType.INTERNAL;

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

    public ListenerType getType() {
        return type;
    }

    public void setType(ListenerType type) {
        this.type = type;
    }
}
