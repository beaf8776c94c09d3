package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units of {@code scripts/systemd/} as {@code systemd-analyze verify} reads them, with this
 * checkout in place of /opt/healthgate: systemd only warns about a directive it cannot parse, so any
 * output about the unit fails (lines about other units installed on the machine are theirs, not ours).
 * Where systemd runs as pid 1, a real start with {@code Type=notify}.
 */
@DisplayName("The systemd units scripts/systemd/*.service")
class SystemdUnitIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"healthgate.service", "healthgate-nat-nonroot.service"})
    @DisplayName("pass systemd-analyze verify without a word, as Type=notify")
    void verifies(String name) throws IOException {
        TestDirs dirs = TestDirs.create("SystemdUnitIT-" + name);
        String unit = Files.readString(ItEnv.repoRoot().resolve("scripts/systemd").resolve(name));
        assertThat(unit).as("the unit's ExecStart").contains("ExecStart=/opt/healthgate/scripts/healthgate run --config ");
        assertThat(unit).as("the unit's type").contains("\nType=notify\n");
        Path here = dirs.scenario().resolve(name);
        Files.writeString(here, unit.replace("/opt/healthgate/", ItEnv.repoRoot() + "/"));

        CommandResult verify = Command.of("systemd-analyze", "verify", here.toString())
                .timeout(Duration.ofSeconds(30)).logTo(dirs.logs(), "systemd-analyze").run();

        assertThat(verify.exitCode()).as("systemd-analyze verify: %s", verify).isZero();
        List<String> aboutOthers = List.of("/lib/systemd/", "/usr/lib/systemd/", "/etc/systemd/");
        assertThat(verify.output().lines().filter(l -> aboutOthers.stream().noneMatch(l::startsWith)).toList())
                .as("what systemd-analyze verify says about the unit").isEmpty();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("under systemd as pid 1: a Type=notify start returns once the API answers")
    void startsUnderSystemd() {
        String init = readOrEmpty(Path.of("/proc/1/comm")).strip();
        Assumptions.assumeTrue(init.equals("systemd"), "systemd is not pid 1 here (pid 1 is '" + init
                + "'): no real Type=notify start; SdNotifyIT checks the notification with a receiver of its own");
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("SystemdUnitIT-start");
        String unit = "healthgate-it-" + ProcessHandle.current().pid();
        // the unit runs in this test's network namespace: its ports are the test's, never the host's
        CommandResult start = Command.of("systemd-run", "--unit", unit, "--collect",
                        "-p", "Type=notify", "-p", "NotifyAccess=main", "-p", "KillMode=process",
                        "-p", "NetworkNamespacePath=/proc/" + ProcessHandle.current().pid() + "/ns/net",
                        ItEnv.healthgateLauncher().toString(), "run", "--name", "web1", "--port", "8041",
                        "--status-port", "9041", "--ready-http", "/health", "--listen", "127.0.0.1:9941",
                        "--stop-timeout", "5s", "--", "python3",
                        ItEnv.repoRoot().resolve("scripts/examples/plain_app.py").toString(), "--name", "web1",
                        "--port", "8041")
                .timeout(Duration.ofSeconds(90)).logTo(dirs.logs(), "systemd-run").run();
        try {
            assertThat(start.exitCode()).as("systemd-run (returns once the unit is started): %s", start).isZero();
            HttpResult api = Curl.get("http://127.0.0.1:9941/v1/apps", Duration.ofSeconds(5));
            assertThat(api.status()).as("GET /v1/apps right after systemd-run returned: %s", api).isEqualTo(200);
        } finally {
            Command.of("systemctl", "stop", unit).timeout(Duration.ofSeconds(60)).logTo(dirs.logs(), "systemctl-stop")
                    .run();
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
