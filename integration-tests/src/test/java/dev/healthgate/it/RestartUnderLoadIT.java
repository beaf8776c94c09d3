package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The promise of healthgate, checked end to end: under load through a real HAProxy, web1 is
 * restarted through the HTTP API (as a deploy hook would) and then web2 through the CLI, and no
 * request fails, sticky clients stay on their instance while it drains, and each instance takes new
 * clients again afterwards.
 */
@DisplayName("Restarting apps under load")
class RestartUnderLoadIT {
    private static final Duration BACK_IN_ROTATION = Duration.ofSeconds(15);
    /** A whole restart cycle here takes about 10 s. */
    private static final Duration CYCLE_BOUND = Duration.ofSeconds(120);
    /** Until a started caller (curl, or the CLI's JVM) has the cycle running. */
    private static final Duration START_BOUND = Duration.ofSeconds(60);

    private TestDirs dirs;
    private TwoAppScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        dirs = TestDirs.create("RestartUnderLoadIT-" + test.getTestMethod().orElseThrow().getName());
        scenario = new TwoAppScenario(dirs);
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("restarting web1 through the API and web2 through the CLI fails no request and keeps sticky clients on their instance while it drains")
    void restartingBothAppsUnderLoadFailsNoRequest() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad();
        scenario.awaitWarmLoad();

        // web1 through the API, as a deploy hook does it: curl -sS -X POST .../v1/apps/web1/restart
        long web1Sent = System.nanoTime();
        ManagedProcess hook = Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/restart", CYCLE_BOUND,
                dirs.log("web1-restart-curl.log"));
        CycleWatch.StartBounds web1Start = CycleWatch.awaitStart(healthgate, "web1", web1Sent, hook, START_BOUND);
        hook.waitForExit(CYCLE_BOUND);
        long web1Answered = System.nanoTime();
        HttpResult api = Curl.parseLog(hook.log());
        assertThat(api.status()).as("status of POST /v1/apps/web1/restart: %s", api).isEqualTo(200);
        JsonObject web1Result = api.json();
        assertThat(web1Result.getBoolean("ok")).as("ok in %s", web1Result).isTrue();
        assertThat(web1Result.getString("state")).as("state in %s", web1Result).isEqualTo("IN_ROTATION");
        assertThat(web1Result.getJsonArray("phases")).as("phases in %s", web1Result).isNotNull().isNotEmpty();
        CycleTiming web1Cycle = new CycleTiming(web1Result, web1Start, web1Answered);
        scenario.awaitServesNewClients("web1", web1Answered, BACK_IN_ROTATION);

        // web2 through the CLI: scripts/healthgate restart web2 --config healthgate.yml
        long web2Sent = System.nanoTime();
        ManagedProcess cli = healthgate.clientInBackground("restart", "web2");
        CycleWatch.StartBounds web2Start = CycleWatch.awaitStart(healthgate, "web2", web2Sent, cli, START_BOUND);
        int exitCode = cli.waitForExit(CYCLE_BOUND);
        long web2Answered = System.nanoTime();
        String output = cli.log();
        assertThat(exitCode).as("exit code of healthgate restart web2; output:%n%s", output).isZero();
        for (String phase : List.of("drain", "sticky-grace", "restart", "ready", "restore")) {
            assertThat(output).as("healthgate restart web2 prints its %s phase:%n%s", phase, output)
                    .containsPattern("(?m)^web2\\s+" + phase + "\\s");
        }
        assertThat(output).as("healthgate restart web2 ends IN_ROTATION:%n%s", output).contains("IN_ROTATION");
        JsonObject web2Result = healthgate.get("/v1/apps/web2").json().getJsonObject("lastCycle");
        assertThat(web2Result).as("GET /v1/apps/web2 has the lastCycle the CLI ran").isNotNull();
        CycleTiming web2Cycle = new CycleTiming(web2Result, web2Start, web2Answered);
        scenario.awaitServesNewClients("web2", web2Answered, BACK_IN_ROTATION);

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%nweb1 cycle: %s%nweb2 cycle: %s%n%s%n", report.summary(), web1Cycle, web2Cycle, timeline);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed (non-200 or transport error) of %d; timeline:%n%s", report.total(), timeline)
                .isEmpty();
        RotationChecks.stickyClientsStayedWhileDraining(soft, report, "web1", web1Cycle);
        RotationChecks.stickyClientsStayedWhileDraining(soft, report, "web2", web2Cycle);
        RotationChecks.newClientsWentElsewhereWhileOut(soft, report, "web1", web1Cycle);
        RotationChecks.newClientsWentElsewhereWhileOut(soft, report, "web2", web2Cycle);
        for (String app : List.of("web1", "web2")) {
            soft.assertThat(healthgate.state(app)).as("state of %s after its restart", app).isEqualTo("IN_ROTATION");
            for (String line : List.of("main", "backup")) {
                for (String chain : Iptables.CHAINS) {
                    String comment = "healthgate:" + app + ":" + line;
                    soft.assertThat(Iptables.count(chain, comment))
                            .as("rules commented %s in nat %s after the restarts: %s", comment, chain,
                                    Iptables.natRules(chain))
                            .isEqualTo(1);
                }
            }
        }
        soft.assertAll();
    }
}
