package dev.healthgate.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.os.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bound of a graceful stop, and the systemd unit that must wait longer than it. */
class StopBudgetTest {

    private static final HaproxyTiming DEFAULTS = new HaproxyTiming(Duration.ofMillis(500), Duration.ofMillis(100),
            Duration.ofMillis(100), 2, 2, 3, "127.0.0.1:8080", "app", List.of());

    @Test
    @DisplayName("the stop budget does not grow with the number of apps: they are stopped in parallel")
    void budgetIsTheSlowestAppNotTheSum() {
        List<AppInstance> one = apps(1);
        List<AppInstance> twenty = apps(20);
        assertThat(GracefulStop.budget(twenty, DEFAULTS)).isEqualTo(GracefulStop.budget(one, DEFAULTS));
        assertThat(GracefulStop.budget(one, DEFAULTS)).as("with the defaults").isEqualTo(Duration.ofSeconds(159));
    }

    @Test
    @DisplayName("the systemd unit's TimeoutStopSec is above the stop budget with the defaults")
    void systemdWaitsLongerThanTheBudget() throws Exception {
        Path unit = Path.of("..", "scripts", "systemd", "healthgate.service");
        Matcher m = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(Files.readString(unit));
        assertThat(m.find()).as("TimeoutStopSec in %s", unit).isTrue();
        assertThat(Duration.ofSeconds(Long.parseLong(m.group(1))))
                .isGreaterThan(GracefulStop.budget(apps(1), DEFAULTS));
    }

    private static List<AppInstance> apps(int count) {
        List<AppInstance> apps = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            SuperviseSpec spec = new SuperviseSpec(List.of("sleep", "60"), null, Map.of(), null, Signal.TERM,
                    Duration.ofSeconds(30));
            AppConfig config = new AppConfig("web" + n, "127.0.0.1", 8000 + n, 9000 + n, 9100 + n, GateKind.PORT,
                    new ReadyCheck(null, 200, Duration.ofSeconds(30)),
                    new RestartSpec(List.of(), null, spec, false, Duration.ofSeconds(60)), Duration.ofSeconds(5),
                    Duration.ofSeconds(30), true, AgentRamp.NONE);
            apps.add(new AppInstance(config, null, null, null, CycleState.OUT_OF_ROTATION));
        }
        return apps;
    }
}
