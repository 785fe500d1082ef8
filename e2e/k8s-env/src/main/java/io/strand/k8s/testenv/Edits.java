package io.strand.k8s.testenv;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.UnaryOperator;

/**
 * A test's edit of an object a controller also writes (an operator patching the status of the resource the test
 * changes the spec of). fabric8's {@code edit} reads the object and patches it at that resourceVersion, so a status
 * write in between makes it fail with 409 Conflict, as {@code kubectl edit} would; like a user, it reads again and
 * retries. Anything but a conflict (a 422 from validation, say) is the test's answer and is thrown at once.
 */
public final class Edits {

    private static final int ATTEMPTS = 10;

    private Edits() {
    }

    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
