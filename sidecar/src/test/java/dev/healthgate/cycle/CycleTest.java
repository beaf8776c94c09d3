package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.RestartStrategy;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cycle's logic with an in-memory gate and restart, and a real TCP port for readiness. The real
 * nat gate, HAProxy and apps are exercised by the integration tests.
 */
class CycleTest extends CycleFixture {

    @Test
    @DisplayName("a restart closes main then backup before restarting, and opens both once ready")
    void restartClosesBothGatesBeforeAPortClosingRestart() throws Exception {
        AppInstance instance = instance(app.actualPort(), false, () -> events.add("restart"));
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).as("cycle ok, reason: %s", r.reason()).isTrue();
        assertThat(r.state()).isEqualTo(CycleState.IN_ROTATION);
        assertThat(events).containsExactly("close main", "close backup", "restart", "open backup", "open main");
        assertThat(r.phases()).extracting(PhaseResult::name)
                .containsExactly("drain", "sticky-grace", "drain-backup", "connections", "restart", "ready", "restore");
        assertThat(r.phases().get(0).ms()).as("drain waits fall x inter + inter").isGreaterThanOrEqualTo(60);
    }

    @Test
    @DisplayName("an app that keeps its port open keeps its backup gate open: sticky clients never move")
    void keepsPortOpenLeavesTheBackupGateAlone() throws Exception {
        AppInstance instance = instance(app.actualPort(), true, () -> events.add("restart"));
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).isTrue();
        assertThat(events).as("the backup line is held up from before the restart until ready")
                .containsExactly("close main", "hold backup", "restart", "end hold", "open main");
    }

    @Test
    @DisplayName("a port-keeping restart that never becomes ready ends the hold and closes the backup gate")
    void heldRestartNeverReadyClosesTheBackupGate() throws Exception {
        int closedPort = freePort();
        RecordingGate gate = recordingGate();
        AppInstance instance = instance(gate, closedPort, true, () -> events.add("restart"));
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).isFalse();
        assertThat(r.reason()).startsWith("not ready within 300 ms");
        assertThat(gate.status()).as("both gates closed").isEqualTo(new GateStatus(false, false));
        assertThat(events).containsExactly("close main", "hold backup", "restart", "end hold", "close backup");
    }

    @Test
    @DisplayName("a restart that closes the port, a drain and a restore hold nothing")
    void onlyPortKeepingRestartsHold() throws Exception {
        AppInstance instance = instance(app.actualPort(), false, () -> events.add("restart"));
        assertThat(run(instance, Action.RESTART).ok()).isTrue();
        AppInstance keeping = instance(app.actualPort(), true, () -> events.add("restart"));
        assertThat(run(keeping, Action.DRAIN).ok()).isTrue();
        assertThat(run(keeping, Action.RESTORE).ok()).isTrue();
        assertThat(events).doesNotContain("hold backup", "end hold");
    }

    @Test
    @DisplayName("a failed restart command leaves both gates closed and the app FAILED with the reason")
    void failedRestartLeavesGatesClosed() throws Exception {
        RecordingGate gate = recordingGate();
        AppInstance instance = instance(gate, app.actualPort(), false, () -> {
            throw new RestartException("restart command failed: systemctl exited with 1");
        });
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).isFalse();
        assertThat(r.state()).isEqualTo(CycleState.FAILED);
        assertThat(instance.state()).isEqualTo(CycleState.FAILED);
        assertThat(r.reason()).isEqualTo("restart command failed: systemctl exited with 1");
        assertThat(gate.status()).as("both gates closed").isEqualTo(new GateStatus(false, false));
        assertThat(events).doesNotContain("open main", "open backup");
    }

    @Test
    @DisplayName("an app that never becomes ready is never put back into rotation")
    void neverReadyStaysOut() throws Exception {
        int closedPort = freePort();
        RecordingGate gate = recordingGate();
        AppInstance instance = instance(gate, closedPort, false, () -> events.add("restart"));
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).isFalse();
        assertThat(r.reason()).startsWith("not ready within 300 ms (TCP connect on 127.0.0.1:" + closedPort);
        assertThat(gate.status()).isEqualTo(new GateStatus(false, false));
        assertThat(r.phases()).extracting(PhaseResult::name).doesNotContain("ready", "restore");
    }

    @Test
    @DisplayName("a second action while one runs is refused at once")
    void secondActionIsBusy() throws Exception {
        AppInstance instance = instance(app.actualPort(), false, () -> events.add("restart"));
        Cycle cycle = new Cycle(vertx, new ConnectionCounter(List.of()));
        var first = cycle.run(instance, Action.RESTART, CycleListener.NONE);
        assertThatThrownBy(() -> cycle.run(instance, Action.DRAIN, CycleListener.NONE))
                .isInstanceOf(BusyException.class)
                .hasMessage("a restart of web1 is already running");
        assertThat(first.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).ok()).isTrue();
    }

    @Test
    @DisplayName("drain takes only the main line out and ends OUT_OF_ROTATION; restore brings it back")
    void drainThenRestore() throws Exception {
        AppInstance instance = instance(app.actualPort(), false, () -> events.add("restart"));
        CycleResult drained = run(instance, Action.DRAIN);
        assertThat(drained.state()).isEqualTo(CycleState.OUT_OF_ROTATION);
        assertThat(events).containsExactly("close main");

        CycleResult restored = run(instance, Action.RESTORE);
        assertThat(restored.state()).isEqualTo(CycleState.IN_ROTATION);
        assertThat(restored.phases()).extracting(PhaseResult::name).containsExactly("ready", "restore");
    }

    private CycleResult run(AppInstance instance, Action action) throws Exception {
        return run(instance, action, Duration.ofSeconds(10));
    }

    private AppInstance instance(int port, boolean keepsPortOpen, ThrowingRestart restart) {
        return instance(recordingGate(), port, keepsPortOpen, restart);
    }

    private AppInstance instance(RecordingGate gate, int port, boolean keepsPortOpen, ThrowingRestart restart) {
        AppConfig config = new AppConfig("web1", "127.0.0.1", port, 9001, 9101, GateKind.NAT,
                new ReadyCheck(null, 200, Duration.ofMillis(300)),
                new RestartSpec(List.of("true"), keepsPortOpen, Duration.ofSeconds(1)),
                Duration.ofMillis(10), Duration.ofSeconds(1), true, dev.healthgate.config.AgentRamp.NONE);
        RestartStrategy strategy = new RestartStrategy() {
            @Override
            public void restart() throws RestartException {
                restart.run();
            }

            @Override
            public String describe() {
                return "fake";
            }
        };
        return new AppInstance(config, gate, strategy, new ReadinessProbe(vertx, config), CycleState.IN_ROTATION);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @FunctionalInterface
    interface ThrowingRestart {
        void run() throws RestartException;
    }
}
