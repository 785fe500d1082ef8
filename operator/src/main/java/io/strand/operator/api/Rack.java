package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Rack awareness: each broker's {@code broker.rack} is the value of this label on its node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Rack {

    public static final String DEFAULT_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

    @Default(DEFAULT_TOPOLOGY_KEY)
    @JsonPropertyDescription("Node label whose value is the broker's rack. topology.kubernetes.io/zone and /region (copied onto pods by Kubernetes 1.35+) and kubernetes.io/hostname reach the broker as broker.rack; any other key only spreads the pods.")
    private String topologyKey = DEFAULT_TOPOLOGY_KEY;

    public String getTopologyKey() {
        return topologyKey;
    }

    public void setTopologyKey(String topologyKey) {
        this.topologyKey = topologyKey;
    }
}
