package io.strand.operator.kafka;

import io.strand.operator.api.KafkaCluster;
import io.strand.operator.model.Listeners;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * One Admin client per KafkaCluster, shared by every reconcile of the cluster and of its topics. An Admin client is a
 * thread, a metadata cache and a connection per broker: creating one per reconcile (every few seconds while a cluster
 * changes, for every Topic on each pass) costs connections and handshakes on the brokers for nothing. The clients
 * handed out ignore {@code close()}; the shared client is closed once it has been idle for {@code idleTimeout}, when the
 * cluster is re-created (another uid) or its listener port changes, and when the operator stops.
 */
public final class SharedAdminFactory implements KafkaAdminFactory, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SharedAdminFactory.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaAdminFactory delegate;
    private final Duration idleTimeout;
    private final Clock clock;
    private final Map<Key, Entry> admins = new ConcurrentHashMap<>();

    public SharedAdminFactory(KafkaAdminFactory delegate, Duration idleTimeout) {
        this(delegate, idleTimeout, Clock.systemUTC());
    }

    SharedAdminFactory(KafkaAdminFactory delegate, Duration idleTimeout, Clock clock) {
        this.delegate = delegate;
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    private record Key(String namespace, String name, String uid, int port) {
        static Key of(KafkaCluster cluster) {
            return new Key(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), cluster.getMetadata().getUid(),
                    Listeners.internalPort(cluster));
        }

        boolean sameCluster(Key other) {
            return namespace.equals(other.namespace) && name.equals(other.name);
        }
    }

    private static final class Entry {
        final Admin admin;
        volatile Instant lastUsed;

        Entry(Admin admin, Instant now) {
            this.admin = admin;
            this.lastUsed = now;
        }
    }

    @Override
    public Admin create(KafkaCluster cluster) {
        Instant now = clock.instant();
        Key key = Key.of(cluster);
        evict(now, key);
        Entry entry = admins.computeIfAbsent(key, k -> new Entry(delegate.create(cluster), now));
        entry.lastUsed = now;
        return unclosable(entry.admin);
    }

    /** Clients idle too long, and older clients of the same cluster (re-created, or another port). */
    private void evict(Instant now, Key current) {
        admins.forEach((key, entry) -> {
            boolean idle = entry.lastUsed.plus(idleTimeout).isBefore(now);
            boolean replaced = !key.equals(current) && key.sameCluster(current);
            if ((idle || replaced) && admins.remove(key, entry)) {
                LOG.debugf("closing the Admin client of %s/%s (%s)", key.namespace(), key.name(), idle ? "idle" : "replaced");
                close(entry.admin);
            }
        });
    }

    /** How many clients are open; for tests. */
    int size() {
        return admins.size();
    }

    @Override
    public void close() {
        admins.forEach((key, entry) -> {
            if (admins.remove(key, entry)) {
                close(entry.admin);
            }
        });
    }

    private static void close(Admin admin) {
        try {
            admin.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("closing an Admin client failed: %s", e);
        }
    }

    /** The shared client behind a view whose close() does nothing, so callers keep their try/finally close. */
    private static Admin unclosable(Admin admin) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close")) {
                return null;
            }
            return invoke(admin, method, args);
        };
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, handler);
    }

    private static Object invoke(Admin admin, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(admin, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
