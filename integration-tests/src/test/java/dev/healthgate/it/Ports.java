package dev.healthgate.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** TCP reachability, for waiting until a listener is up. */
public final class Ports {
    private Ports() {}

    /** Whether a TCP connection to {@code host:port} is accepted within 500 ms. */
    public static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
