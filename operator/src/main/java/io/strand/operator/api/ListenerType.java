package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How clients reach a listener. Only in-cluster access exists; nodeport and loadbalancer are planned. */
public enum ListenerType {
    @JsonProperty("internal")
    INTERNAL
}
