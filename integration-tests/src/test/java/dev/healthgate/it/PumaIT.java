package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's Puma 5.6 in cluster mode behind a real HAProxy ({@code retries 0}) under load: web1 restarted
 * by USR2 (hot restart: the master re-executes itself, same pid, the socket kept; connections wait in its
 * queue), web2 by USR1 (phased restart: workers replaced one by one). The pid stays, so healthgate
 * follows the old workers until they are gone, then checks readiness again. No request fails and no
 * sticky client moves: during the hot restart's gap no worker answers, but the socket accepts, and
 * healthgate holds web1's backup line up from that.
 */
@DisplayName("Puma")
class PumaIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("PumaIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.server(1, app -> RealServers.puma(scenario, app),
                "{ pidfile: " + HealthgateConfig.quote(scenario.pidFile("web1").toString()) + ", signal: USR2, new-pid: false }");
        scenario.server(2, app -> RealServers.puma(scenario, app),
                "{ pidfile: " + HealthgateConfig.quote(scenario.pidFile("web2").toString()) + ", signal: USR1, new-pid: false }");
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a hot restart (USR2) and a phased restart (USR1) fail no request and move no sticky client")
    void hotAndPhasedRestartsFailNothing() {
        // sticky requests wait in the socket's queue while no process answers: patience as HAProxy's timeout server
        LoadGenerator load = scenario.startLoad(scenario.loadOptions(RealServers.USERS, RealServers.RATE)
                .withRequestTimeout(RealServers.QUEUED_PATIENCE));
        scenario.awaitWarmLoad();

        for (String app : List.of("web1", "web2")) {
            // every restart replaces all workers: none of those serving now may be left
            assertThat(ProcessHandle.of(scenario.pid(app).orElseThrow()).orElseThrow().children().count())
                    .as("%s's workers", app).isEqualTo(2);
        }
        RealServers.Restart hot = RealServers.restart(scenario, "web1");
        RealServers.Restart phased = RealServers.restart(scenario, "web2");
        for (RealServers.Restart r : List.of(hot, phased)) {
            assertThat(r.pidAfter()).as("%s's pid", r.app()).isEqualTo(r.pidBefore());
            assertThat(r.note("ready")).as("ready note of %s", r).startsWith("old workers [").contains("] gone after ");
        }

        // A hot restart leaves a gap in which no worker answers (the master re-executes Ruby and boots new
        // workers; connections wait in the socket's queue): healthgate answers the checks of web1's backup
        // line from the socket accepting, so sticky web1 clients stay on web1 through it.
        LoadReport report = RealServers.assertNoLoss(scenario, load, List.of(hot, phased));
        List<RequestRecord> during = report.matching(r -> r.sticky() && "web1".equals(r.cookieSent())
                && r.startedBetween(hot.sentNanos(), hot.answeredNanos()));
        System.out.printf("puma: hot restart: %d sticky web1 requests during it (longest %d ms), %d moved, %d failed,"
                        + " cycle %d ms (restart %d ms, ready %d ms)%n", during.size(),
                during.stream().mapToLong(RequestRecord::latencyNanos).max().orElse(0) / 1_000_000,
                report.matching(r -> r.sticky() && "web1".equals(r.cookieSent()) && !"web1".equals(r.servedBy())).size(),
                report.failures().size(), hot.cycleMillis(), phaseMs(hot, "restart"), phaseMs(hot, "ready"));
    }

    private static long phaseMs(RealServers.Restart r, String phase) {
        return r.result().getJsonArray("phases").stream().map(io.vertx.core.json.JsonObject.class::cast)
                .filter(p -> phase.equals(p.getString("name"))).findFirst().orElseThrow().getLong("ms");
    }
}
