package io.strand.e2e.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket on 127.0.0.1 that hands every accepted connection to a {@link Connector}: the local end of a
 * port-forward. Connections are independent; closing the forwarder closes them all.
 */
public final class TcpForwarder implements AutoCloseable {

    /** Carries one accepted connection to its target; returns only when that connection is over. */
    @FunctionalInterface
    public interface Connector {
        void serve(Socket client) throws Exception;
    }

    private final ServerSocket server;
    private final Connector connector;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "forward");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public TcpForwarder(int localPort, Connector connector) {
        this.connector = connector;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + localPort, e);
        }
        threads.execute(this::accept);
    }

    public int localPort() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> {
                    try {
                        connector.serve(client);
                    } catch (Exception e) {
                        // the client sees its connection closed and reconnects, as with a broken port-forward stream
                    } finally {
                        quietly(client);
                        open.remove(client);
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("forwarder on " + server.getLocalPort() + ": " + e);
                }
            }
        }
    }

    /** Copies both ways between two sockets until either side ends; then closes both. */
    public static void pipe(Socket a, Socket b) throws InterruptedException {
        Thread back = new Thread(() -> copy(b, a), "forward-back");
        back.setDaemon(true);
        back.start();
        copy(a, b);
        quietly(a);
        quietly(b);
        back.join(TimeUnit.SECONDS.toMillis(10));
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // either side closed
        } finally {
            quietly(from);
            quietly(to);
        }
    }

    static void quietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(TcpForwarder::quietly);
        threads.shutdownNow();
    }

    /** Below the ephemeral range, like the brokers' ports ({@link io.strand.broker.it.FreePorts}). */
    public static int freePort() {
        return io.strand.broker.it.FreePorts.next();
    }
}
