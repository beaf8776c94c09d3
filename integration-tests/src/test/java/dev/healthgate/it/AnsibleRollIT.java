package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/ansible/roll.yml} with the real {@code ansible-playbook}, against this host as the
 * inventory's one host (connection local): three supervised apps behind a real HAProxy, rolled by the
 * playbook through the host's API on loopback ({@code POST /v1/roll}). {@code AnsibleFleetIT} rolls a
 * fleet of hosts under load, with roll.yml and roll-batch.yml.
 */
@DisplayName("The Ansible playbooks scripts/ansible/roll.yml and roll-batch.yml on one host")
class AnsibleRollIT {

    private static final List<String> APPS = List.of("web1", "web2", "web3");

    private TestDirs dirs;
    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        dirs = TestDirs.create("AnsibleRollIT-" + test.getTestMethod().orElseThrow().getName());
        scenario = WrappedAppsScenario.startSupervised(dirs, APPS.size());
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("restarts every app of the host and succeeds")
    void rollsTheHost() {
        Map<String, Long> pidsBefore = pids();

        CommandResult play = playbook("roll.yml", scenario.healthgate().apiBase());

        assertThat(play.exitCode()).as("ansible-playbook's exit code: %s", play).isZero();
        SoftAssertions soft = new SoftAssertions();
        for (String app : APPS) {
            soft.assertThat(scenario.supervisedPid(app)).as("%s's pid (before: %d)", app, pidsBefore.get(app))
                    .isNotEqualTo(pidsBefore.get(app));
            JsonObject state = scenario.healthgate().get("/v1/apps/" + app).json();
            soft.assertThat(state.getString("state")).as("%s's state", app).isEqualTo("IN_ROTATION");
            soft.assertThat(state.getJsonObject("lastCycle").getString("action")).as("%s's last cycle", app)
                    .isEqualTo("restart");
            soft.assertThat(play.stdout()).as("the play shows %s's phases", app)
                    .containsPattern(app + "\\s+IN_ROTATION\\s+restart done");
        }
        soft.assertThat(play.stdout()).as("the play's recap").containsPattern("localhost\\s+: ok=\\d+ .*failed=0");
        soft.assertAll();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("fails when an app's restart fails, and says which app and why")
    void failsWithTheRoll() {
        long web3Pid = scenario.supervisedPid("web3");
        scenario.arm("web2", "crash-on-boot");

        CommandResult play = playbook("roll.yml", scenario.healthgate().apiBase());

        assertThat(play.exitCode()).as("ansible-playbook's exit code: %s", play).isNotZero();
        assertThat(play.stdout()).as("the play's output")
                .containsPattern("roll stopped at web2: web2: web2 \\(pid \\d+\\) exited with code 1 before it was ready")
                .containsPattern("localhost\\s+: ok=\\d+ .*failed=1");
        // (web2 itself is healthgate's to bring back now: it supervises it, see SupervisedAppIT)
        assertThat(scenario.supervisedPid("web3")).as("web3's pid: the roll stopped before it").isEqualTo(web3Pid);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("roll-batch.yml refuses a host's API that is not http(s)://HOST:PORT, naming it, and restarts nothing")
    void rollBatchRefusesABadAddress() {
        Map<String, Long> pidsBefore = pids();
        String bad = scenario.healthgate().apiBase().replace("http://", "ftp://");

        CommandResult play = playbook("roll-batch.yml", bad);

        assertThat(play.exitCode()).as("ansible-playbook's exit code: %s", play).isNotZero();
        assertThat(play.stdout()).as("the play's output")
                .contains("hosts[0].url = '" + bad + "' (localhost): expected http://HOST:PORT or https://HOST:PORT");
        assertThat(pids()).as("the apps' pids").isEqualTo(pidsBefore);
    }

    private Map<String, Long> pids() {
        return APPS.stream().collect(Collectors.toMap(app -> app, scenario::supervisedPid));
    }

    /** {@code scripts/ansible/<file>} against this host, whose API is {@code api}. */
    private CommandResult playbook(String file, String api) {
        Path home = dirs.scenario().resolve("ansible");
        return Command.of("ansible-playbook", "-i", "localhost,", "-c", "local",
                        ItEnv.repoRoot().resolve("scripts/ansible").resolve(file).toString(),
                        "-e", "healthgate_hosts=localhost",
                        "-e", "healthgate_api=" + api)
                .env("ANSIBLE_HOME", home.toString())
                .env("ANSIBLE_LOCAL_TEMP", home.resolve("tmp").toString())
                .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
                .timeout(Duration.ofMinutes(2)).logTo(dirs.logs(), "ansible-playbook").run();
    }
}
