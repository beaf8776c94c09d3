package dev.healthgate.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.os.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** When a cycle holds the backup line up, and for how long at most. */
class HeldRestartTest {

    @Test
    @DisplayName("only a restart of an app that keeps its port open holds")
    void applies() {
        AppConfig keeps = app(new RestartSpec(List.of("true"), true, Duration.ofSeconds(7)));
        AppConfig closes = app(new RestartSpec(List.of("true"), false, Duration.ofSeconds(7)));
        assertThat(HeldRestart.applies(Action.RESTART, keeps)).isTrue();
        assertThat(HeldRestart.applies(Action.RESTART, closes)).isFalse();
        for (Action other : Action.values()) {
            if (other != Action.RESTART) {
                assertThat(HeldRestart.applies(other, keeps)).as("%s", other).isFalse();
            }
        }
    }

    @Test
    @DisplayName("bounded by the restart's timeout, a supervised app's stop-timeout and the ready timeout")
    void bound() {
        assertThat(HeldRestart.bound(app(new RestartSpec(List.of("true"), true, Duration.ofSeconds(7)))))
                .isEqualTo(Duration.ofSeconds(7 + 30));
        SuperviseSpec supervise = new SuperviseSpec(List.of("app"), Path.of("/"), Map.of(), null, Signal.TERM,
                Duration.ofSeconds(20), true);
        assertThat(HeldRestart.bound(app(new RestartSpec(List.of(), null, supervise, true, Duration.ofSeconds(7)))))
                .isEqualTo(Duration.ofSeconds(7 + 20 + 30));
    }

    private static AppConfig app(RestartSpec restart) {
        return new AppConfig("web1", "127.0.0.1", 8001, 9001, 9101, GateKind.PORT,
                new ReadyCheck("/health", 200, Duration.ofSeconds(30)), restart,
                Duration.ZERO, Duration.ofSeconds(1), true, AgentRamp.NONE);
    }
}
