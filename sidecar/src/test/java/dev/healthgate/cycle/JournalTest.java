package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartStrategy;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the cycle writes to its journal: each phase before it begins, then the end; and a resume that fails. */
class JournalTest extends CycleFixture {

    private final List<AppRecord> written = new CopyOnWriteArrayList<>();

    @Test
    @DisplayName("a restart writes each phase before it begins, then the end with no action and the intent in")
    void restartWritesEachPhaseThenTheEnd() throws Exception {
        AppInstance instance = instance(app.actualPort(), Intent.OUT);
        CycleResult r = run(instance, Action.RESTART);

        assertThat(r.ok()).as("ok, reason %s", r.reason()).isTrue();
        assertThat(written).extracting(AppRecord::phase).containsExactly("drain", "sticky-grace", "drain-backup",
                "connections", "restart", "ready", "restore", null);
        assertThat(written.subList(0, 7)).as("records while it runs").allMatch(w -> w.action() == Action.RESTART
                && w.intent() == Intent.IN);
        assertThat(written.get(7)).as("the last record").isEqualTo(new AppRecord("web1", Intent.IN,
                CycleState.IN_ROTATION, null, null, null));
    }

    @Test
    @DisplayName("a drain sets the intent out, and its record says so once it is done")
    void drainWritesIntentOut() throws Exception {
        CycleResult r = run(instance(app.actualPort(), Intent.IN), Action.DRAIN);
        assertThat(r.ok()).isTrue();
        assertThat(written.get(written.size() - 1)).isEqualTo(new AppRecord("web1", Intent.OUT,
                CycleState.OUT_OF_ROTATION, null, null, null));
    }

    @Test
    @DisplayName("a resume whose app is not ready fails naming what the restart of healthgate cut short")
    void resumeThatIsNotReadyNamesThePhase() throws Exception {
        AppInstance instance = instance(closedPort(), Intent.IN);
        instance.interrupted("restart in its ready phase");
        CycleResult r = run(instance, Action.RESUME);

        assertThat(r.ok()).isFalse();
        assertThat(r.reason()).startsWith("interrupted by a restart of healthgate (restart in its ready phase) and "
                + "not ready: not ready within 300 ms");
        assertThat(events).as("flips").doesNotContain("open main", "open backup");
        assertThat(written.get(written.size() - 1).state()).isEqualTo(CycleState.FAILED);
        assertThat(written.get(written.size() - 1).reason()).isEqualTo(r.reason());
    }

    private CycleResult run(AppInstance instance, Action action) throws Exception {
        Cycle cycle = new Cycle(vertx, new ConnectionCounter(List.of()), written::add);
        return cycle.run(instance, action, CycleListener.NONE).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private AppInstance instance(int port, Intent intent) {
        AppConfig config = new AppConfig("web1", "127.0.0.1", port, 9001, 9101, GateKind.NAT,
                new ReadyCheck(null, 200, Duration.ofMillis(300)),
                new RestartSpec(List.of("true"), false, Duration.ofSeconds(1)),
                Duration.ofMillis(10), Duration.ofSeconds(1), true, AgentRamp.NONE);
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
        return new AppInstance(config, recordingGate(), strategy, new ReadinessProbe(vertx, config),
                intent == Intent.OUT ? CycleState.OUT_OF_ROTATION : CycleState.IN_ROTATION, intent, null);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
