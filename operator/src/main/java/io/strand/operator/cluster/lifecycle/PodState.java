package io.strand.operator.cluster.lifecycle;

import java.time.Instant;

/**
 * One broker pod as the API server shows it.
 *
 * @param readySince when its Ready condition last became true; null when it is not Ready
 * @param configHash the config-hash annotation it was created with
 */
public record PodState(String name, int ordinal, Instant readySince, boolean terminating, String configHash) {

    public boolean ready() {
        return readySince != null && !terminating;
    }
}
