package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/systemd/healthgate.service} as {@code systemd-analyze verify} reads it, with this checkout
 * in place of /opt/healthgate: systemd only warns about a directive it cannot parse, so any output fails.
 */
@DisplayName("The systemd unit scripts/systemd/healthgate.service")
class SystemdUnitIT {

    @Test
    @DisplayName("passes systemd-analyze verify without a word")
    void verifies() throws IOException {
        TestDirs dirs = TestDirs.create("SystemdUnitIT");
        String unit = Files.readString(ItEnv.repoRoot().resolve("scripts/systemd/healthgate.service"));
        assertThat(unit).as("the unit's ExecStart").contains("ExecStart=/opt/healthgate/scripts/healthgate run --config ");
        Path here = dirs.scenario().resolve("healthgate.service");
        Files.writeString(here, unit.replace("/opt/healthgate/", ItEnv.repoRoot() + "/"));

        CommandResult verify = Command.of("systemd-analyze", "verify", here.toString())
                .timeout(Duration.ofSeconds(30)).logTo(dirs.logs(), "systemd-analyze").run();

        assertThat(verify.exitCode()).as("systemd-analyze verify: %s", verify).isZero();
        assertThat(verify.output()).as("what systemd-analyze verify says about the unit").isBlank();
    }
}
