package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A restart whose app never becomes ready: healthgate must report FAILED and leave the app out of
 * rotation, while the other instance serves every request.
 */
@DisplayName("A restart that never becomes ready")
class FailedRestartIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    private TestDirs dirs;
    private TwoAppScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        dirs = TestDirs.create("FailedRestartIT-" + test.getTestMethod().orElseThrow().getName());
        scenario = new TwoAppScenario(dirs);
        // web1's "restart" only stops it: it never comes back on its port
        scenario.start(web1 -> web1.restartExec(scenario.apps().stopOnlyCommand("web1"))
                        .readyTimeout(READY_TIMEOUT)
                        .stickyGrace(Duration.ofSeconds(1)),
                web2 -> { });
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("leaves the app FAILED and out of rotation, and no request fails because web2 serves them all")
    void failedRestartLeavesTheAppOutOfRotation() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad();
        scenario.awaitWarmLoad();

        HttpResult api = healthgate.post("/v1/apps/web1/restart");
        long answered = System.nanoTime();
        assertThat(api.is2xx()).as("POST /v1/apps/web1/restart answers an error status: %s", api).isFalse();
        JsonObject result = api.json();
        assertThat(result.getBoolean("ok")).as("ok in %s", result).isFalse();
        assertThat(result.getString("state")).as("state in %s", result).isEqualTo("FAILED");
        assertThat(result.getString("reason")).as("reason in %s names readiness", result)
                .isNotNull().containsIgnoringCase("ready");

        JsonObject web1 = healthgate.get("/v1/apps/web1").json();
        assertThat(web1.getString("state")).as("state in GET /v1/apps/web1: %s", web1).isEqualTo("FAILED");
        for (String chain : Iptables.CHAINS) {
            List<String> rules = Iptables.natRules(chain);
            assertThat(Iptables.count(chain, "healthgate:web1:main"))
                    .as("web1's main gate stays closed: rules commented healthgate:web1:main in nat %s: %s", chain, rules)
                    .isZero();
            assertThat(Iptables.count(chain, "healthgate:web1:backup"))
                    .as("web1's backup gate stays closed: rules commented healthgate:web1:backup in nat %s: %s", chain, rules)
                    .isZero();
            assertThat(Iptables.count(chain, "healthgate:web2:main"))
                    .as("web2's main gate is untouched: rules commented healthgate:web2:main in nat %s: %s", chain, rules)
                    .isEqualTo(1);
        }

        // keep the load on a while longer: web2 alone must carry it
        Await.until("two more seconds of load after the failed restart", Duration.ofSeconds(10),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - answered > 2_000_000_000L));
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);
        assertThat(report.failures())
                .as("requests that failed (non-200 or transport error) of %d; timeline:%n%s", report.total(), timeline)
                .isEmpty();
        assertThat(report.servedBy(r -> r.startNanos() - answered > 0))
                .as("instances that served requests after the failed restart")
                .containsOnlyKeys("web2");

        CommandResult status = healthgate.client("status", "web1");
        assertThat(status.stdout()).as("healthgate status web1 shows FAILED: %s", status).contains("FAILED");
        assertThat(status.exitCode()).as("exit code of healthgate status web1 for a FAILED app: %s", status)
                .isEqualTo(1);
    }
}
