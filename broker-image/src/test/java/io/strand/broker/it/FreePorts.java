package io.strand.broker.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for test processes to listen on, taken below the kernel's ephemeral range (32768-60999 on Linux). A port
 * found free with {@code bind(0)} comes from that range, and between the check and the test process's own bind any
 * outbound connection on the machine (the brokers already running connect to each other all the time) may be given it
 * as its local port: the new broker then fails with "Address already in use". Below the range only another listener
 * can take a port, and each JVM walks the range from its own random start.
 */
public final class FreePorts {

    private static final int FIRST = 20_000;
    private static final int COUNT = 12_000;
    private static final AtomicInteger NEXT = new AtomicInteger(new java.util.Random().nextInt(COUNT));

    private FreePorts() {
    }

    /** A loopback port nothing listens on right now. */
    public static int next() {
        for (int attempt = 0; attempt < COUNT; attempt++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException busy) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("no free port in " + FIRST + "-" + (FIRST + COUNT - 1));
    }
}
