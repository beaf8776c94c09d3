package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * systemd's {@code Type=notify} without systemd: a receiver (notify_receiver.py) binds a unix datagram
 * socket as systemd does, the real daemon ({@code scripts/healthgate run}, one supervised app, port gate
 * with HTTP checks: healthgate's own listeners on the status ports from the start) gets its
 * name in {@code NOTIFY_SOCKET}, and the receiver checks, the moment {@code READY=1} arrives, that the
 * control API answers and the status ports accept connections. A SIGTERM then sends {@code STOPPING=1}.
 */
@DisplayName("systemd readiness (sd_notify)")
class SdNotifyIT {
    private static final int API_PORT = 9931;
    private static final int APP_PORT = 8031;
    private static final int STATUS_PORT = 9031;

    private final List<ManagedProcess> started = new ArrayList<>();

    @AfterEach
    void stop() {
        Cleanup cleanup = new Cleanup();
        for (int i = started.size() - 1; i >= 0; i--) {
            ManagedProcess p = started.get(i);
            cleanup.run(() -> p.stop(Duration.ofSeconds(40)));
        }
        cleanup.throwIfFailed("stopping the daemon and the receiver");
    }

    @ParameterizedTest(name = "NOTIFY_SOCKET {0}")
    @ValueSource(strings = {"path", "abstract"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("READY=1 once the control API and the status ports serve, STOPPING=1 on SIGTERM")
    void notifiesReadyThenStopping(String kind) {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("SdNotifyIT-" + kind);
        String socket = kind.equals("path") ? dirs.scenario().resolve("notify.sock").toString()
                : "@healthgate-notify-it-" + ProcessHandle.current().pid();
        String api = "http://127.0.0.1:" + API_PORT + "/v1/apps";
        ManagedProcess receiver = start("notify receiver", List.of("python3",
                ItEnv.repoRoot().resolve("integration-tests/src/test/python/notify_receiver.py").toString(),
                "--socket", socket, "--url", api, "--tcp", "127.0.0.1:" + STATUS_PORT,
                "--tcp", "127.0.0.1:" + (STATUS_PORT + 100), "--max-seconds", "100"), dirs.log("receiver.log"));
        receiver.waitForLog("^bound ", Duration.ofSeconds(10));
        ItEnv.requireJar();

        ManagedProcess daemon = start("healthgate", List.of("env", "NOTIFY_SOCKET=" + socket,
                ItEnv.healthgateLauncher().toString(), "run", "--name", "web1", "--port", Integer.toString(APP_PORT),
                "--status-port", Integer.toString(STATUS_PORT), "--ready-http", "/health", "--listen", "127.0.0.1:" + API_PORT,
                "--stop-timeout", "5s", "--", "python3",
                ItEnv.repoRoot().resolve("scripts/examples/plain_app.py").toString(), "--name", "web1", "--port",
                Integer.toString(APP_PORT)), dirs.log("healthgate.log"));

        String ready = receiver.waitForLog("^got READY=1.*$", Duration.ofSeconds(60)).group();
        assertThat(ready).as("the receiver's check the moment READY=1 arrived (control API, status ports)")
                .isEqualTo("got READY=1 STATUS=control API on http://127.0.0.1:" + API_PORT + " | api=200 127.0.0.1:"
                        + STATUS_PORT + "=open 127.0.0.1:" + (STATUS_PORT + 100) + "=open");

        daemon.stop(Duration.ofSeconds(40));
        String stopping = receiver.waitForLog("^got STOPPING=1.*$", Duration.ofSeconds(20)).group();
        assertThat(stopping).startsWith("got STOPPING=1 STATUS=");
        assertThat(receiver.waitForExit(Duration.ofSeconds(10))).as("the receiver's exit: %s", receiver.log()).isZero();
        assertThat(receiver.log().lines().filter(l -> l.startsWith("got READY=1")).count())
                .as("READY=1 datagrams: %s", receiver.log()).isEqualTo(1);
    }

    private ManagedProcess start(String name, List<String> command, Path log) {
        ManagedProcess p = ManagedProcess.start(name, command, log);
        started.add(p);
        return p;
    }
}
