package dev.healthgate.cycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts established TCP connections to a local port from {@code /proc/net/tcp} and {@code tcp6} of
 * the current network namespace. With HAProxy's {@code option http-server-close}, such a connection is
 * a request in flight. Blocking (reads files): call from a worker thread.
 */
public final class ConnectionCounter {

    private static final String ESTABLISHED = "01";
    private final List<Path> tables;

    public ConnectionCounter() {
        this(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    ConnectionCounter(List<Path> tables) {
        this.tables = List.copyOf(tables);
    }

    public int established(int localPort) throws IOException {
        int count = 0;
        for (Path table : tables) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (NoSuchFileException e) {
                continue; // no IPv6 in this kernel
            }
            for (int i = 1; i < lines.size(); i++) {
                if (matches(lines.get(i), localPort)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** A row reads {@code sl local_address rem_address st ...}, addresses as HEXIP:HEXPORT. */
    static boolean matches(String row, int localPort) {
        String[] f = row.trim().split("\\s+");
        if (f.length < 4 || !f[3].equals(ESTABLISHED)) {
            return false;
        }
        int colon = f[1].lastIndexOf(':');
        return colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == localPort;
    }
}
