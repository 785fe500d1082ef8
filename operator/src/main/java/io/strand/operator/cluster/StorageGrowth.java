package io.strand.operator.cluster;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Growing the brokers' volumes. A StatefulSet's claim templates are immutable, so: patch every existing claim of the
 * StatefulSet to the new size (the StorageClass must allow expansion), then delete the StatefulSet with orphan
 * propagation, which leaves its pods and claims running, and let it be created again with the new template; the new
 * StatefulSet adopts the pods by their labels. No pod restarts.
 */
final class StorageGrowth {

    private static final Logger LOG = Logger.getLogger(StorageGrowth.class);
    private static final Duration ORPHAN_DELETE_LIMIT = Duration.ofSeconds(30);
    static final String CLAIM_TEMPLATE = "data";

    private StorageGrowth() {
    }

    /** The storage request of the StatefulSet's data claim template. */
    static Optional<Quantity> claimSize(StatefulSet statefulSet) {
        return statefulSet.getSpec().getVolumeClaimTemplates().stream()
                .filter(t -> CLAIM_TEMPLATE.equals(t.getMetadata().getName()))
                .findFirst()
                .map(t -> t.getSpec().getResources().getRequests().get("storage"));
    }

    /** Whether the desired claim template asks for more storage than the existing StatefulSet's. */
    static boolean grows(StatefulSet actual, StatefulSet desired) {
        Optional<Quantity> have = claimSize(actual);
        Optional<Quantity> want = claimSize(desired);
        return have.isPresent() && want.isPresent() && amount(want.get()).compareTo(amount(have.get())) > 0;
    }

    /** Patches every claim of the StatefulSet that is smaller than the new size. */
    static void growClaims(KubernetesClient client, StatefulSet actual, Quantity size) {
        String namespace = actual.getMetadata().getNamespace();
        String prefix = CLAIM_TEMPLATE + "-" + actual.getMetadata().getName() + "-";
        for (PersistentVolumeClaim claim : client.persistentVolumeClaims().inNamespace(namespace).list().getItems()) {
            String name = claim.getMetadata().getName();
            if (!name.startsWith(prefix) || !name.substring(prefix.length()).matches("[0-9]+")) {
                continue;
            }
            Quantity current = claim.getSpec().getResources().getRequests().get("storage");
            if (current == null || amount(current).compareTo(amount(size)) < 0) {
                client.persistentVolumeClaims().inNamespace(namespace).withName(name).edit(c -> {
                    c.getSpec().getResources().getRequests().put("storage", size);
                    return c;
                });
                LOG.infof("claim %s/%s: %s -> %s", namespace, name, current, size);
            }
        }
    }

    /** Deletes the StatefulSet but not its pods or claims, and waits (bounded) until it is gone. */
    static void orphanStatefulSet(KubernetesClient client, StatefulSet actual) {
        var resource = client.apps().statefulSets().inNamespace(actual.getMetadata().getNamespace())
                .withName(actual.getMetadata().getName());
        resource.withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        long deadline = System.nanoTime() + ORPHAN_DELETE_LIMIT.toNanos();
        while (resource.get() != null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("StatefulSet " + actual.getMetadata().getName()
                        + " still exists " + ORPHAN_DELETE_LIMIT.toSeconds() + " s after an orphaning delete");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while re-creating the StatefulSet", e);
            }
        }
    }

    private static BigDecimal amount(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity);
    }
}
