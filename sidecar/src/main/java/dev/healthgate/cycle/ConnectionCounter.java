package dev.healthgate.cycle;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
            // Streamed, not read whole: under load the table holds thousands of TIME_WAIT rows.
            try (BufferedReader rows = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                rows.readLine(); // the header
                for (String row = rows.readLine(); row != null; row = rows.readLine()) {
                    if (matches(row, localPort)) {
                        count++;
                    }
                }
            } catch (NoSuchFileException e) {
                // no IPv6 in this kernel
            }
        }
        return count;
    }

    /**
     * A row reads {@code sl local_address rem_address st ...}, addresses as HEXIP:HEXPORT. Scanned by
     * hand, state first: this runs for every row several times a second while a cycle waits.
     */
    static boolean matches(String row, int localPort) {
        int slEnd = tokenEnd(row, tokenStart(row, 0));
        int localStart = tokenStart(row, slEnd);
        int localEnd = tokenEnd(row, localStart);
        int stateStart = tokenStart(row, tokenEnd(row, tokenStart(row, localEnd)));
        if (tokenEnd(row, stateStart) - stateStart != ESTABLISHED.length()
                || !row.startsWith(ESTABLISHED, stateStart)) {
            return false;
        }
        int colon = row.lastIndexOf(':', localEnd - 1);
        if (colon < localStart || colon + 1 >= localEnd) {
            return false;
        }
        try {
            return Integer.parseInt(row, colon + 1, localEnd, 16) == localPort;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int tokenStart(String row, int from) {
        int i = from;
        while (i < row.length() && row.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int tokenEnd(String row, int from) {
        int i = from;
        while (i < row.length() && row.charAt(i) != ' ') {
            i++;
        }
        return i;
    }
}
