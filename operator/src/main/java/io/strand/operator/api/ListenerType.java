package io.strand.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How clients reach a listener. */
public enum ListenerType {
    /** Each broker at its own in-cluster address ({@code <pod>.<cluster>-brokers.<namespace>.svc}). */
    @JsonProperty("internal")
    INTERNAL,
    /**
     * The whole cluster through one forwarded port ({@code kubectl port-forward svc/<cluster>-tunnel 9092}, or an SSH
     * tunnel): every broker's relay listener advertises one address and relays requests for partitions and groups led
     * elsewhere (docs/single-port.md).
     */
    @JsonProperty("tunnel")
    TUNNEL
}
