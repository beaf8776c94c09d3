package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.RestartStrategy;
import dev.healthgate.restart.Restarted;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RECOVER (a supervised app died) and the readiness wait that follows what a restart started: the cycle
 * stops waiting as soon as the new process is gone, and finishes a hand-over once the app is ready.
 */
class RecoverAndFollowTest extends CycleFixture {

    @Test
    @DisplayName("recover closes both gates at once, starts the app, and opens them once it is ready")
    void recoverClosesAtOnceAndRestores() throws Exception {
        AppInstance instance = instance(app.actualPort(), Duration.ofSeconds(2), new Fake(null));
        CycleResult r = run(instance, Action.RECOVER);

        assertThat(r.ok()).as("ok, reason %s", r.reason()).isTrue();
        assertThat(r.state()).isEqualTo(CycleState.IN_ROTATION);
        assertThat(r.phases()).extracting(PhaseResult::name).containsExactly("close", "restart", "ready", "restore");
        assertThat(r.phases().get(0).ms()).as("no waiting for HAProxy: there is nothing to drain").isLessThan(1000);
        assertThat(events).containsExactly("close main", "close backup", "restart", "on ready", "open backup",
                "open main");
    }

    @Test
    @DisplayName("a restart whose new process exits ends the ready wait at once, FAILED with its reason")
    void newProcessExitEndsTheWait() throws Exception {
        AppInstance instance = instance(closedPort(), Duration.ofSeconds(20),
                new Fake("web1 (pid 42) exited with code 1 before it was ready"));
        long t0 = System.nanoTime();
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).isFalse();
        assertThat(r.state()).isEqualTo(CycleState.FAILED);
        assertThat(r.reason()).isEqualTo("web1 (pid 42) exited with code 1 before it was ready");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms, against a 20 s ready timeout")
                .isLessThan(5_000);
        assertThat(events).doesNotContain("open main", "open backup", "on ready");
    }

    @Test
    @DisplayName("a restore of an app whose process is not running fails at once")
    void restoreChecksTheProcess() throws Exception {
        Fake strategy = new Fake(null);
        strategy.running = false;
        AppInstance instance = instance(closedPort(), Duration.ofSeconds(20), strategy);
        CycleResult r = run(instance, Action.RESTORE);

        assertThat(r.ok()).isFalse();
        assertThat(r.reason()).isEqualTo("web1 is not running");
    }

    private CycleResult run(AppInstance instance, Action action) throws Exception {
        return run(instance, action, Duration.ofSeconds(30));
    }

    private AppInstance instance(int port, Duration readyTimeout, RestartStrategy strategy) {
        AppConfig config = new AppConfig("web1", "127.0.0.1", port, 9001, 9101, GateKind.NAT,
                new ReadyCheck(null, 200, readyTimeout), new RestartSpec(List.of("true"), false, Duration.ofSeconds(1)),
                Duration.ofMillis(10), Duration.ofSeconds(1), true, AgentRamp.NONE);
        return new AppInstance(config, recordingGate(), strategy, new ReadinessProbe(vertx, config),
                CycleState.IN_ROTATION);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A strategy whose new process dies at once when {@code deathReason} is set. */
    private final class Fake implements RestartStrategy {
        private final String deathReason;
        volatile boolean running = true;

        Fake(String deathReason) {
            this.deathReason = deathReason;
        }

        @Override
        public void restart() {
            events.add("restart");
        }

        @Override
        public Restarted restartAndFollow() {
            restart();
            return new Restarted() {
                @Override
                public void checkAlive() throws RestartException {
                    if (deathReason != null) {
                        throw new RestartException(deathReason);
                    }
                }

                @Override
                public String onReady() {
                    events.add("on ready");
                    return null;
                }

                @Override
                public String note() {
                    return "started pid 42";
                }
            };
        }

        @Override
        public void checkRunning() throws RestartException {
            if (!running) {
                throw new RestartException("web1 is not running");
            }
        }

        @Override
        public String describe() {
            return "fake";
        }
    }
}
