package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionCounterTest {

    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @Test
    @DisplayName("counts only established connections whose local port is the app port, in tcp and tcp6")
    void countsEstablishedConnectionsToThePort(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Path tcp6 = dir.resolve("tcp6");
        Files.writeString(tcp, HEADER
                // listening socket on 8001 (0A): not a request
                + "   0: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
                // established to 8001 (01): counted
                + "   1: 0100007F:1F41 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2\n"
                // established from an ephemeral port to 8001 (the client side): not counted
                + "   2: 0100007F:D2F0 0100007F:1F41 01 00000000:00000000 00:00000000 00000000     0        0 3\n"
                // TIME_WAIT (06) on 8001: not counted
                + "   3: 0100007F:1F41 0100007F:D2F1 06 00000000:00000000 00:00000000 00000000     0        0 4\n");
        Files.writeString(tcp6, HEADER
                + "   0: 00000000000000000000000001000000:1F41 00000000000000000000000001000000:C350 01 "
                + "00000000:00000000 00:00000000 00000000     0        0 5\n");
        ConnectionCounter counter = new ConnectionCounter(List.of(tcp, tcp6, dir.resolve("missing")));
        assertThat(counter.established(8001)).as("one IPv4 and one IPv6 request in flight").isEqualTo(2);
        assertThat(counter.established(8002)).isZero();
    }

    @Test
    @DisplayName("a short or malformed row counts as nothing rather than failing the count")
    void malformedRowsAreNotCounted() {
        assertThat(ConnectionCounter.matches("", 8001)).isFalse();
        assertThat(ConnectionCounter.matches("   0: 0100007F:1F41", 8001)).isFalse();
        assertThat(ConnectionCounter.matches("   0: 0100007F:ZZZZ 0100007F:D2F0 01 0", 8001)).isFalse();
        assertThat(ConnectionCounter.matches("   0: 0100007F: 0100007F:D2F0 01 0", 8001)).isFalse();
        assertThat(ConnectionCounter.matches("   0: 0100007F:1F41 0100007F:D2F0 011 0", 8001))
                .as("state 011 is not 01").isFalse();
        assertThat(ConnectionCounter.matches("   0: 0100007F:1F41 0100007F:D2F0 01", 8001)).isTrue();
    }
}
