package dev.healthgate.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.os.Signal;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A socket healthgate holds reaches a supervised app as fd 3 with LISTEN_FDS and LISTEN_PID, across restarts. */
class HeldSocketTest {

    /** Accepts one connection on fd 3 and answers with its LISTEN_* variables and its pid. */
    private static final String APP = String.join("\n",
            "import os, socket",
            "s = socket.socket(fileno=3)",
            "c, _ = s.accept()",
            "c.sendall(('%s %s %d' % (os.environ.get('LISTEN_FDS'), os.environ.get('LISTEN_PID'), os.getpid())).encode())",
            "c.close()");

    @Test
    @DisplayName("each new process gets the held socket as fd 3, LISTEN_FDS=1 and LISTEN_PID = its own pid")
    void handsTheSocketToEachProcess() throws Exception {
        int port = freePort();
        SuperviseSpec spec = new SuperviseSpec(List.of("python3", "-c", APP), null, Map.of(), null, Signal.TERM,
                Duration.ofSeconds(5), true);
        SuperviseRestart s = SuperviseRestart.prepare("web1", spec, new CommandRunner(), "127.0.0.1", port);
        try {
            for (int round = 0; round < 2; round++) {
                long pid = round == 0 ? s.start() : restart(s);
                assertThat(ask(port)).as("round %d", round).isEqualTo("1 " + pid + " " + pid);
            }
            // the app is gone (it answered once), the socket is not: a connection is accepted into its queue
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                assertThat(c.isConnected()).isTrue();
            }
        } finally {
            s.stop();
        }
    }

    @Test
    @DisplayName("a port already taken fails the start with the address and the reason")
    void portTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            SuperviseSpec spec = new SuperviseSpec(List.of("true"), null, Map.of(), null, Signal.TERM,
                    Duration.ofSeconds(5), true);
            SuperviseRestart s = SuperviseRestart.prepare("web1", spec, new CommandRunner(), "127.0.0.1", taken.getLocalPort());
            assertThatThrownBy(s::start).isInstanceOf(RestartException.class)
                    .hasMessage("cannot hold web1's socket on 127.0.0.1:" + taken.getLocalPort()
                            + ": binding 127.0.0.1:" + taken.getLocalPort() + " failed: Address already in use");
        }
    }

    private static long restart(SuperviseRestart s) throws Exception {
        s.restartAndFollow();
        return s.pid();
    }

    private static String ask(int port) throws Exception {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            c.setSoTimeout((int) TimeUnit.SECONDS.toMillis(10));
            InputStream in = c.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
