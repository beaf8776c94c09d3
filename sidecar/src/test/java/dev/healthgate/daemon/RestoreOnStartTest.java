package dev.healthgate.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.ConnectionCounter;
import dev.healthgate.cycle.Cycle;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.TimedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.restart.RestartStrategy;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Restore-on-start meeting a cycle that already runs for the app (a recovery that began first). */
class RestoreOnStartTest {

    @Test
    @DisplayName("restore-on-start leaves an app with a cycle running to that cycle, and throws nothing")
    void busyAppIsLeftToItsCycle() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HaproxyTiming slow = new HaproxyTiming(Duration.ofMillis(300), Duration.ofMillis(300),
                    Duration.ofMillis(300), 2, 2, 0, "127.0.0.1:1", "app", List.of());
            AppConfig config = new AppConfig("web1", "127.0.0.1", 1, 9001, 9101, GateKind.PORT,
                    new ReadyCheck(null, 200, Duration.ofSeconds(1)), new RestartSpec(List.of("true"), false,
                            Duration.ofSeconds(1)), Duration.ZERO, Duration.ofSeconds(1), true, AgentRamp.NONE);
            AppInstance app = new AppInstance(config, new OpenGate(new TimedWatch(vertx, slow)), new RestartStrategy() {
                @Override
                public void restart() {
                }

                @Override
                public String describe() {
                    return "none";
                }
            }, null, CycleState.OUT_OF_ROTATION);
            Fleet fleet = new Fleet(List.of(app), new Cycle(vertx, new ConnectionCounter()),
                    CycleListener.NONE);
            var running = fleet.act(app, Action.DRAIN, CycleListener.NONE); // takes fall x inter + inter = 900 ms

            assertThatCode(() -> Daemon.restoreOnStart(fleet, java.util.Map.of("web1", Action.RESTORE_ON_START))).doesNotThrowAnyException();
            assertThat(running.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).action())
                    .as("the cycle that ran is the one that was running").isEqualTo(Action.DRAIN);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** A gate in memory, open until closed. */
    private static final class OpenGate implements Gate {
        private final Watch watch;
        private volatile boolean main = true;
        private volatile boolean backup = true;

        OpenGate(Watch watch) {
            this.watch = watch;
        }

        @Override
        public boolean open(Line line) {
            return set(line, true);
        }

        @Override
        public boolean close(Line line) {
            return set(line, false);
        }

        private boolean set(Line line, boolean open) {
            boolean was = line == Line.MAIN ? main : backup;
            if (line == Line.MAIN) {
                main = open;
            } else {
                backup = open;
            }
            return was != open;
        }

        @Override
        public GateStatus status() {
            return new GateStatus(main, backup);
        }

        @Override
        public String reconcile(GateStatus wanted) {
            return "in memory";
        }

        @Override
        public Watch watch() {
            return watch;
        }
    }
}
