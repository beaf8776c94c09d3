package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/** {@code healthgate roll}: every app on this host restarted one at a time, three supervised apps. */
@DisplayName("Rolling a host")
class RollIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = WrappedAppsScenario.startSupervised(
                TestDirs.create("RollIT-" + test.getTestMethod().orElseThrow().getName()), 3);
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("under load keeps at least two apps in rotation at every moment, as HAProxy sees it, and fails no request")
    void rollKeepsTwoInRotation() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();
        int haproxyLogMark = scenario.haproxy().log().length();

        HttpResult roll = healthgate.post("/v1/roll");
        long answered = System.nanoTime();
        assertThat(roll.status()).as("POST /v1/roll: %s", roll).isEqualTo(200);
        JsonArray results = roll.json().getJsonArray("results");
        assertThat(results.stream().map(r -> ((JsonObject) r).getString("app")).toList())
                .as("apps rolled, in order").containsExactly("web1", "web2", "web3");
        Await.until("web3 to serve new clients again", Duration.ofSeconds(15),
                () -> load.report().records().stream().anyMatch(r -> !r.sticky() && r.startNanos() - answered > 0
                        && "web3".equals(r.servedBy())));
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);

        List<Integer> active = scenario.activeCountsSince(haproxyLogMark);
        String haproxyLog = scenario.haproxy().log().substring(haproxyLogMark);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(active).as("HAProxy's count of active servers at each state change during the roll:%n%s",
                haproxyLog.lines().filter(l -> l.startsWith("Server ") || l.startsWith("Backup Server ")).toList())
                .hasSizeGreaterThanOrEqualTo(6) // each app out, then back
                .allSatisfy(n -> assertThat(n).as("active servers").isGreaterThanOrEqualTo(2));
        for (String app : List.of("web1", "web2", "web3")) {
            soft.assertThat(haproxyLog).as("HAProxy took %s out and put it back", app)
                    .containsPattern("Server app/" + app + " is DOWN[\\s\\S]*Server app/" + app + " is UP");
        }
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("stops at the first failure and says where: the apps after it are not touched")
    void rollStopsAtTheFirstFailure() {
        Healthgate healthgate = scenario.healthgate();
        long web3Pid = scenario.supervisedPid("web3");
        scenario.arm("web2", "crash-on-boot");

        CommandResult roll = healthgate.client("roll");

        assertThat(roll.exitCode()).as("exit code of healthgate roll: %s", roll).isEqualTo(1);
        assertThat(roll.stdout()).as("healthgate roll prints web1's restart: %s", roll)
                .containsPattern("(?m)^web1\\s+IN_ROTATION");
        assertThat(roll.stderr()).as("healthgate roll says where it stopped and why: %s", roll)
                .containsPattern("roll stopped at web2: web2: web2 \\(pid \\d+\\) exited with code 1 before it was ready");
        assertThat(roll.output()).as("web3 is not restarted: %s", roll).doesNotContainPattern("(?m)^web3\\s");
        assertThat(scenario.supervisedPid("web3")).as("web3's pid").isEqualTo(web3Pid);
        JsonObject web3 = healthgate.get("/v1/apps/web3").json();
        assertThat(web3.getString("state")).isEqualTo("IN_ROTATION");
        assertThat(web3.getJsonObject("lastCycle").getString("action")).as("web3's last cycle is still its start-up restore")
                .isEqualTo("restore-on-start");
    }
}
