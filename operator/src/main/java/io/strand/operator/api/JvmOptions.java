package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** JVM flags of the broker process, passed through {@code JDK_JAVA_OPTIONS}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JvmOptions {

    @JsonProperty("-Xms")
    @Pattern("^[0-9]+[kKmMgG]?$")
    @JsonPropertyDescription("Initial heap, e.g. 512m.")
    private String xms;

    @JsonProperty("-Xmx")
    @Pattern("^[0-9]+[kKmMgG]?$")
    @JsonPropertyDescription("Maximum heap, e.g. 1g. Leave room for the page cache: the broker serves fetches from it.")
    private String xmx;

    @JsonPropertyDescription("Further JVM options, e.g. -XX:+UseZGC.")
    private List<String> options;

    public String getXms() {
        return xms;
    }

    public void setXms(String xms) {
        this.xms = xms;
    }

    public String getXmx() {
        return xmx;
    }

    public void setXmx(String xmx) {
        this.xmx = xmx;
    }

    public List<String> getOptions() {
        return options;
    }

    public void setOptions(List<String> options) {
        this.options = options;
    }
}
