package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a restart can fail, at once, under load: web1 is healthy; web2's new process exits
 * (supervised), web3's never becomes ready (supervised), web4's pid never changes (Unicorn-like,
 * USR2 ignored), web5's restart command times out (exec). Each ends FAILED with its own reason, with
 * its gates closed, and web1 serves every request. Then FAILED is cleared: web2 by healthgate itself
 * once it boots again, web3 by a later successful restart, web4 by an explicit restore.
 */
@DisplayName("Failed restarts")
class RestartFailuresIT {

    /**
     * web3's ready timeout: what its never-ready restart waits, and what its first boot may take when
     * healthgate starts it (a fresh-clone run on a loaded machine took 8 s to boot the 1 s app).
     */
    private static final Duration WEB3_READY = Duration.ofSeconds(12);

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("RestartFailuresIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.supervised(1);
        scenario.supervised(2);
        scenario.supervised(3).readyTimeout(WEB3_READY);
        scenario.unicorn(4).restartTimeout(Duration.ofSeconds(3));
        scenario.exec(5, List.of("sleep", "30")).restartTimeout(Duration.ofSeconds(2));
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("each failure is FAILED with its reason, gates closed, no request failed; later restarts and restores clear it")
    void eachFailureIsReportedAndContained() throws Exception {
        Healthgate healthgate = scenario.healthgate();
        long unicornPid = scenario.pid("web4").orElseThrow();
        LoadGenerator load = scenario.startLoad(20, 150);
        scenario.awaitWarmLoad();
        scenario.arm("web2", "crash-on-boot");
        scenario.arm("web3", "never-ready");
        scenario.arm("web4", "ignore-restart");

        Map<String, CompletableFuture<HttpResult>> restarts = new LinkedHashMap<>();
        for (String app : List.of("web2", "web3", "web4", "web5")) {
            restarts.put(app, CompletableFuture.supplyAsync(() -> healthgate.post("/v1/apps/" + app + "/restart")));
        }
        Map<String, JsonObject> results = new LinkedHashMap<>();
        for (var e : restarts.entrySet()) {
            HttpResult r = e.getValue().get(2, TimeUnit.MINUTES);
            assertThat(r.status()).as("POST /v1/apps/%s/restart answers 500: %s", e.getKey(), r).isEqualTo(500);
            results.put(e.getKey(), r.json());
        }
        long answered = System.nanoTime();

        SoftAssertions soft = new SoftAssertions();
        results.forEach((app, r) -> {
            soft.assertThat(r.getBoolean("ok")).as("ok of %s", r).isFalse();
            soft.assertThat(r.getString("state")).as("state of %s", r).isEqualTo("FAILED");
        });
        soft.assertThat(results.get("web2").getString("reason")).as("web2: the new process exits")
                .matches("web2 \\(pid \\d+\\) exited with code 1 before it was ready; last output: .*"
                        + "fault crash-on-boot: exiting with code 1 before serving");
        soft.assertThat(results.get("web3").getString("reason")).as("web3: never ready")
                .startsWith("not ready within " + WEB3_READY.toMillis() + " ms (HTTP GET /health answering 200 on 127.0.0.1:8003")
                .contains("answered 503");
        soft.assertThat(results.get("web4").getString("reason")).as("web4: the pid never changes")
                .isEqualTo("the pid in " + scenario.pidFile("web4") + " did not change within 3000 ms after USR2"
                        + " to pid " + unicornPid + " (" + scenario.pidFile("web4") + " holds " + unicornPid
                        + "): web4 did not restart; the old process (pid " + unicornPid + ") is still running");
        soft.assertThat(results.get("web5").getString("reason")).as("web5: the command times out")
                .isEqualTo("restart command failed: sleep 30 did not finish within 2000 ms and was killed");
        for (String app : List.of("web2", "web3", "web4", "web5")) {
            for (String line : List.of("main", "backup")) {
                for (String chain : Iptables.CHAINS) {
                    soft.assertThat(Iptables.count(chain, "healthgate:" + app + ":" + line))
                            .as("%s's %s gate stays closed (nat %s: %s)", app, line, chain, Iptables.natRules(chain))
                            .isZero();
                }
            }
        }
        CommandResult status = healthgate.client("status", "web5");
        soft.assertThat(status.exitCode()).as("exit code of healthgate status web5: %s", status).isEqualTo(1);
        soft.assertThat(status.stdout()).as("healthgate status web5 says why: %s", status)
                .contains("FAILED").contains("did not finish within 2000 ms");

        Await.until("two more seconds of load after the failed restarts", Duration.ofSeconds(10),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - answered > 2_000_000_000L));
        soft.assertThat(load.report().servedBy(r -> r.startNanos() - answered > 0))
                .as("instances that served requests after the failed restarts").containsOnlyKeys("web1");

        // FAILED is cleared: web2 by healthgate once it boots again, ...
        scenario.disarm("web2");
        JsonObject web2 = Await.value("web2 to be recovered without an operator", Duration.ofSeconds(60), () -> {
            JsonObject app = healthgate.get("/v1/apps/web2").json();
            return "IN_ROTATION".equals(app.getString("state")) && !app.getBoolean("busy")
                    ? java.util.Optional.of(app) : java.util.Optional.empty();
        }, () -> healthgate.get("/v1/apps/web2").toString());
        soft.assertThat(web2.getJsonObject("lastCycle").getString("action")).as("web2 came back by").isEqualTo("recover");

        // ... web3 by a later restart (a restore of a still unready app stays FAILED), ...
        HttpResult unready = healthgate.post("/v1/apps/web3/restore");
        soft.assertThat(unready.status()).as("restore of web3 while it answers 503: %s", unready).isEqualTo(500);
        scenario.disarm("web3");
        HttpResult web3 = healthgate.post("/v1/apps/web3/restart");
        soft.assertThat(web3.status()).as("a later restart of web3: %s", web3).isEqualTo(200);
        // ... and web4, still serving as before, by a restore that finds it ready.
        HttpResult web4 = healthgate.post("/v1/apps/web4/restore");
        soft.assertThat(web4.status()).as("restore of web4: %s", web4).isEqualTo(200);
        for (String app : List.of("web2", "web3", "web4")) {
            soft.assertThat(healthgate.state(app)).as("state of %s", app).isEqualTo("IN_ROTATION");
        }
        soft.assertThat(healthgate.state("web5")).as("web5, not touched again").isEqualTo("FAILED");

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        soft.assertAll();
    }
}
