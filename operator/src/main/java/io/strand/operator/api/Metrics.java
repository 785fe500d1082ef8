package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The broker's Prometheus endpoint ({@code /metrics} on port 9404). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Metrics {

    @Default("true")
    @JsonPropertyDescription("Serve /metrics on port 9404.")
    private Boolean enabled = true;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }
}
