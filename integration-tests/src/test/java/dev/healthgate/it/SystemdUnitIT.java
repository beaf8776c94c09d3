package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units of {@code scripts/systemd/} as {@code systemd-analyze verify} reads them, with this
 * checkout in place of /opt/healthgate: systemd only warns about a directive it cannot parse, so any
 * output about the unit fails (lines about other units installed on the machine are theirs, not ours).
 * Then each unit started for real by systemd as pid 1 ({@link SystemdContainer}: this machine's pid 1
 * need not be systemd), with HAProxy and load in front.
 */
@DisplayName("The systemd units scripts/systemd/*.service")
class SystemdUnitIT {
    private static final String INSTALLED_CONFIG = "/etc/healthgate/healthgate.yml";

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

    @ParameterizedTest(name = "{0} ({1} gate, as {2})")
    @CsvSource({"healthgate.service, port, root", "healthgate-nat-nonroot.service, nat, healthgate"})
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("start for real under systemd as pid 1: the start returns once the API serves, a restart under "
            + "load fails no request, the stop drains and stops the apps")
    void startsUnderSystemd(String unitName, String gate, String user) throws IOException {
        Path script = ItEnv.repoRoot().resolve("integration-tests/src/test/systemd/systemd-container");
        String unitText = Files.readString(ItEnv.repoRoot().resolve("scripts/systemd").resolve(unitName));
        assertThat(unitText).as("the unit's config").contains(" --config " + INSTALLED_CONFIG + "\n");
        try (WorldReadableInstall install = WorldReadableInstall.create()) {
            TestDirs dirs = install.testDirs("SystemdUnitIT-start-" + gate);
            Path config = dirs.scenario().resolve("healthgate.yml"); // where the scenario writes it
            // the unit as an operator installs it, with this install as /opt/healthgate and the scenario's config
            Path unit = Files.writeString(dirs.scenario().resolve(unitName), unitText
                    .replace("/opt/healthgate/", install.root() + "/").replace(INSTALLED_CONFIG, config.toString()));
            try (SystemdContainer systemd = SystemdContainer.boot(script, unit, install.root(), dirs.logs());
                    WrappedAppsScenario scenario = new WrappedAppsScenario(dirs)) {
                if (!user.equals("root")) {
                    // as the unit's notes say to create it: no home, so the state can only go to StateDirectory
                    CommandResult add = systemd.run(Duration.ofSeconds(30), "useradd", "--system", "--no-create-home",
                            "--shell", "/usr/sbin/nologin", user);
                    assertThat(add.exitCode()).as("useradd %s in the container: %s", user, add).isZero();
                }
                scenario.supervised(1).gate(gate);
                scenario.supervised(2).gate(gate);
                scenario.startHealthgateWith(healthgate -> {
                    CommandResult start = systemd.run(Duration.ofMinutes(2), "systemctl", "start", "healthgate");
                    assertThat(start.exitCode()).as("systemctl start healthgate: %s%njournal:%n%s", start,
                            systemd.journal()).isZero();
                    // Type=notify: systemctl returned on READY=1, so the API serves now, not in a moment
                    HttpResult api = healthgate.get("/v1/apps");
                    assertThat(api.status()).as("GET /v1/apps right after systemctl start returned: %s", api)
                            .isEqualTo(200);
                }, systemd::journal);
                scenario.start(); // HAProxy, and every app restored and serving through it

                String pid = systemd.unitProperty("MainPID");
                String uid = systemd.run(Duration.ofSeconds(10), "id", "-u", user).stdout().strip();
                assertThat(systemd.procStatus(pid, "Uid:").split("\\s+")[0]).as("the uid healthgate runs as")
                        .isEqualTo(uid);
                CommandResult state = systemd.run(Duration.ofSeconds(10), "stat", "-c", "%U %a",
                        "/var/lib/healthgate", "/var/lib/healthgate/web1.json");
                assertThat(state.stdout().lines().toList()).as("the state directory and web1's record: %s", state)
                        .containsExactly(user + " 700", user + " 644");
                if (gate.equals("nat")) {
                    // CAP_NET_ADMIN is bit 12: systemd granted it, and only it
                    assertThat(systemd.procStatus(pid, "CapEff:")).as("healthgate's effective capabilities")
                            .isEqualTo("0000000000001000");
                    assertThat(systemd.procStatus(pid, "CapBnd:")).as("healthgate's bounding set")
                            .isEqualTo("0000000000001000");
                    assertThat(Iptables.healthgateRules()).as("healthgate's rules (two apps, two lines, each chain), "
                            + "written as %s", user).hasSize(2 * 2 * Iptables.CHAINS.size());
                }

                LoadGenerator load = scenario.startLoad(20, 200);
                scenario.awaitWarmLoad();
                HttpResult answer = scenario.healthgate().post("/v1/apps/web1/restart");
                assertThat(answer.status()).as("POST /v1/apps/web1/restart: %s", answer).isEqualTo(200);
                assertThat(answer.json().getString("state")).as("%s", answer).isEqualTo("IN_ROTATION");
                LoadReport report = load.stop();
                System.out.printf("%s under systemd: %s%n", unitName, report.summary());
                assertThat(report.failures()).as("requests that failed of %d; timeline:%n%s", report.total(),
                        report.timeline(Duration.ofMillis(500))).isEmpty();

                CommandResult stop = systemd.run(Duration.ofMinutes(3), "systemctl", "stop", "healthgate");
                assertThat(stop.exitCode()).as("systemctl stop healthgate: %s", stop).isZero();
                assertThat(List.of(systemd.unitProperty("ActiveState"), systemd.unitProperty("Result")))
                        .as("the unit after the stop; journal:%n%s", systemd.journal())
                        .containsExactly("inactive", "success");
                for (int port : List.of(8001, 8002)) {
                    HttpResult app = Curl.get("http://127.0.0.1:" + port + "/health", Duration.ofSeconds(5));
                    assertThat(app.status()).as("the app on port %d after the stop (healthgate stops the apps it "
                            + "supervises): %s", port, app).isNotEqualTo(200);
                }
            }
        }
    }
}
