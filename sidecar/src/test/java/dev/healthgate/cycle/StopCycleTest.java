package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Line;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartStrategy;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * healthgate's own cycles around a stop and a crash: STOP (the drain before a supervised app is stopped),
 * a cycle that is running when healthgate begins to stop, RECOVER_DRAINED (a drained app died), and the
 * fleet refusing new actions once stopping.
 */
class StopCycleTest extends CycleFixture {

    @Test
    @DisplayName("a stop drains main, then backup, like a port-closing restart, and leaves both gates closed")
    void stopDrainsBothLines() throws Exception {
        RecordingGate gate = recordingGate();
        AppInstance instance = instance(gate, app.actualPort(), false, CycleState.IN_ROTATION);
        CycleResult r = run(instance, Action.STOP, Duration.ofSeconds(10));

        assertThat(r.ok()).as("ok, reason %s", r.reason()).isTrue();
        assertThat(r.state()).isEqualTo(CycleState.OUT_OF_ROTATION);
        assertThat(r.phases()).extracting(PhaseResult::name)
                .containsExactly("drain", "sticky-grace", "drain-backup", "connections");
        assertThat(events).as("flips, and no restart").containsExactly("close main", "close backup");
        assertThat(gate.status()).isEqualTo(new GateStatus(false, false));
    }

    @Test
    @DisplayName("a stop closes the backup gate even of an app whose restarts keep the port open")
    void stopClosesTheBackupOfAKeepsPortOpenApp() throws Exception {
        AppInstance instance = instance(recordingGate(), app.actualPort(), true, CycleState.IN_ROTATION);
        CycleResult r = run(instance, Action.STOP, Duration.ofSeconds(10));

        assertThat(r.ok()).isTrue();
        assertThat(events).containsExactly("close main", "close backup");
    }

    @Test
    @DisplayName("a restart running when healthgate stops finishes its drain but does not restart: FAILED, gates closed")
    void runningRestartGoesNoFurtherThanItsDrain() throws Exception {
        RecordingGate gate = recordingGate();
        AppInstance instance = instance(gate, app.actualPort(), false, CycleState.IN_ROTATION);
        Cycle cycle = new Cycle(vertx, new ConnectionCounter(List.of()));
        CycleListener stopAfterDrain = (name, phase) -> {
            if (phase.name().equals("drain")) {
                cycle.stopping();
            }
        };
        CycleResult r = cycle.run(instance, Action.RESTART, stopAfterDrain).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(r.ok()).isFalse();
        assertThat(r.state()).isEqualTo(CycleState.FAILED);
        assertThat(r.reason()).isEqualTo("healthgate is stopping: the restart of web1 ends before its restart phase");
        assertThat(r.phases()).extracting(PhaseResult::name)
                .as("the drain phases run to their end").containsExactly("drain", "sticky-grace", "drain-backup",
                        "connections");
        assertThat(events).containsExactly("close main", "close backup");
        assertThat(gate.status()).isEqualTo(new GateStatus(false, false));
    }

    @Test
    @DisplayName("a ready wait ends at once when healthgate stops, rather than at the ready timeout")
    void readyWaitEndsWhenStopping() throws Exception {
        AppInstance instance = instance(recordingGate(), closedPort(), false, CycleState.IN_ROTATION,
                Duration.ofSeconds(30));
        Cycle cycle = new Cycle(vertx, new ConnectionCounter(List.of()));
        CycleListener stopDuringReady = (name, phase) -> {
            if (phase.name().equals("restart")) {
                vertx.setTimer(300, t -> cycle.stopping()); // the ready wait has begun by then
            }
        };
        long t0 = System.nanoTime();
        CycleResult r = cycle.run(instance, Action.RESTART, stopDuringReady).toCompletionStage()
                .toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms, against a 30 s ready timeout")
                .isLessThan(5_000);
        assertThat(r.state()).isEqualTo(CycleState.FAILED);
        assertThat(r.reason()).isEqualTo("healthgate is stopping: the restart of web1 ends in its ready phase");
        assertThat(events).doesNotContain("open main", "open backup");
    }

    @Test
    @DisplayName("a drained app that died: both gates closed at once, started again, nothing opened")
    void recoverDrainedOpensNothing() throws Exception {
        RecordingGate gate = recordingGate();
        gate.close(Line.MAIN); // drained by an operator: main closed, backup open for sticky clients
        events.clear();
        AppInstance instance = instance(gate, app.actualPort(), false, CycleState.OUT_OF_ROTATION);
        CycleResult r = run(instance, Action.RECOVER_DRAINED, Duration.ofSeconds(10));

        assertThat(r.ok()).as("ok, reason %s", r.reason()).isTrue();
        assertThat(r.state()).isEqualTo(CycleState.OUT_OF_ROTATION);
        assertThat(r.phases()).extracting(PhaseResult::name).containsExactly("close", "restart", "ready");
        assertThat(events).containsExactly("close backup", "restart");
        assertThat(gate.status()).as("out of rotation, backup closed").isEqualTo(new GateStatus(false, false));
    }

    @Test
    @DisplayName("once stopping, the fleet refuses every action and roll but healthgate's own stop")
    void stoppingFleetRefusesNewActions() throws Exception {
        AppInstance instance = instance(recordingGate(), app.actualPort(), false, CycleState.IN_ROTATION);
        Fleet fleet = new Fleet(List.of(instance), new Cycle(vertx, new ConnectionCounter(List.of())),
                CycleListener.NONE);
        fleet.stop();

        for (Action action : List.of(Action.DRAIN, Action.RESTORE, Action.RESTART, Action.RECOVER)) {
            assertThatThrownBy(() -> fleet.act(instance, action, CycleListener.NONE)).as("%s", action)
                    .isInstanceOf(StoppingException.class).hasMessage("healthgate is stopping");
        }
        assertThatThrownBy(() -> fleet.roll(CycleListener.NONE)).isInstanceOf(StoppingException.class);
        assertThat(events).as("nothing flipped").isEmpty();
        CycleResult r = fleet.act(instance, Action.STOP, CycleListener.NONE).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).isTrue();
    }

    private AppInstance instance(RecordingGate gate, int port, boolean keepsPortOpen, CycleState initial) {
        return instance(gate, port, keepsPortOpen, initial, Duration.ofMillis(300));
    }

    private AppInstance instance(RecordingGate gate, int port, boolean keepsPortOpen, CycleState initial,
            Duration readyTimeout) {
        AppConfig config = new AppConfig("web1", "127.0.0.1", port, 9001, 9101, GateKind.NAT,
                new ReadyCheck(null, 200, readyTimeout), new RestartSpec(List.of("true"), keepsPortOpen,
                        Duration.ofSeconds(1)), Duration.ofMillis(10), Duration.ofSeconds(1), true, AgentRamp.NONE);
        RestartStrategy strategy = new RestartStrategy() {
            @Override
            public void restart() {
                events.add("restart");
            }

            @Override
            public String describe() {
                return "fake";
            }
        };
        return new AppInstance(config, gate, strategy, new ReadinessProbe(vertx, config), initial);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
