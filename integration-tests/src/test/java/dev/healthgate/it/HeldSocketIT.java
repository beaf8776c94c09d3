package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Socket holding for supervised apps: two real Gunicorns run by healthgate, stopped (TERM) and started
 * again on restart. web1's listening socket is held by healthgate ({@code supervise.hold-socket}) and
 * handed to each new Gunicorn as fd 3 with LISTEN_FDS/LISTEN_PID: the port stays open, so the backup
 * gate stays open and connections wait in the socket's queue while Gunicorn restarts. web2 binds its own
 * port: a gated stop-start. Behind a real HAProxy with {@code retries 0}: no request fails, and web1's
 * cycle spends less time gating than web2's. While the new Gunicorn boots nobody answers, but healthgate
 * answers the checks of web1's backup line from the held socket accepting (the hold), so no sticky web1
 * client moves: their requests wait in the socket's queue.
 */
@DisplayName("Held sockets")
class HeldSocketIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("HeldSocketIT-" + test.getTestMethod().orElseThrow().getName()));
        // web1's workers take 3 s to boot: its restart's gap (no process answers) is then longer than HAProxy
        // needs to take a line whose checks go unanswered DOWN (fall 2 checks, each timing out after 1 s)
        scenario.supervisedServer(1, RealServers::gunicornSupervised, Map.of("HG_APP_NAME", "web1", "HG_BOOT_DELAY", "3"),
                Duration.ofSeconds(30), true)
                .gate("port");
        scenario.supervisedServer(2, RealServers::gunicornSupervised, Map.of("HG_APP_NAME", "web2"), Duration.ofSeconds(30), false)
                .gate("port");
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a supervised Gunicorn on a held socket restarts failing nothing and moving no sticky client, with less gating than a gated stop-start")
    void heldSocketRestartFailsNothing() {
        long web1Before = scenario.supervisedPid("web1");
        // sticky requests wait in the socket's queue while no process answers: patience as HAProxy's timeout server
        LoadGenerator load = scenario.startLoad(scenario.loadOptions(RealServers.USERS, RealServers.RATE)
                .withRequestTimeout(RealServers.QUEUED_PATIENCE));
        scenario.awaitWarmLoad();

        long sent1 = System.nanoTime();
        HttpResult r1 = scenario.healthgate().post("/v1/apps/web1/restart");
        long answered1 = System.nanoTime();
        assertThat(r1.status()).as("POST /v1/apps/web1/restart: %s", r1).isEqualTo(200);
        System.out.println("restart web1 (held socket): " + r1.json().encode());
        assertThat(SignalRestartIT.phaseNames(r1.json())).as("phases of %s: the backup gate stays open", r1.json())
                .containsExactly("drain", "restart", "ready", "restore");
        assertThat(scenario.supervisedPid("web1")).as("web1's pid after the restart").isNotEqualTo(web1Before);

        long sent2 = System.nanoTime();
        HttpResult r2 = scenario.healthgate().post("/v1/apps/web2/restart");
        long answered2 = System.nanoTime();
        assertThat(r2.status()).as("POST /v1/apps/web2/restart: %s", r2).isEqualTo(200);
        System.out.println("restart web2 (gated stop-start): " + r2.json().encode());
        assertThat(SignalRestartIT.phaseNames(r2.json())).as("phases of %s", r2.json())
                .containsExactly("drain", "sticky-grace", "drain-backup", "connections", "restart", "ready", "restore");

        RealServers.Restart held = new RealServers.Restart("web1", r1.json(), web1Before, 0, sent1, answered1);
        RealServers.Restart gated = new RealServers.Restart("web2", r2.json(), 0, 0, sent2, answered2);
        // While the new Gunicorn boots nobody answers, but the held socket accepts: healthgate answers the checks
        // of web1's backup line from that (the hold), so sticky web1 clients stay, their requests queued.
        // web2's sticky clients move by design (a gated stop-start), so only web1's are asserted to stay.
        LoadReport report = RealServers.assertNoLoss(scenario, load, List.of(held, gated), List.of("web1"));
        List<RequestRecord> during = report.matching(r -> r.sticky() && "web1".equals(r.cookieSent())
                && r.startedBetween(sent1, answered1));
        long stickyDuring = during.size();
        long longestWait = during.stream().mapToLong(RequestRecord::latencyNanos).max().orElse(0) / 1_000_000;
        long moved = report.matching(r -> r.sticky() && "web1".equals(r.cookieSent()) && !"web1".equals(r.servedBy())).size();
        // The app's own stop and boot vary by seconds on a shared machine; what the held socket saves is the
        // gating around them (sticky-grace, drain-backup, connections): compare the cycles without them
        long heldGating = held.cycleMillis() - phaseMillis(r1.json(), "restart") - phaseMillis(r1.json(), "ready");
        long gatedGating = gated.cycleMillis() - phaseMillis(r2.json(), "restart") - phaseMillis(r2.json(), "ready");
        System.out.printf("held socket: %d requests, %d failed, %d sticky web1 requests during its restart (longest"
                        + " %d ms), %d moved; cycle web1 (held) %d ms (gating %d ms, restart %d ms, ready %d ms), web2"
                        + " (gated stop-start) %d ms (gating %d ms)%n", report.total(), report.failures().size(),
                stickyDuring, longestWait, moved,
                held.cycleMillis(), heldGating, phaseMillis(r1.json(), "restart"), phaseMillis(r1.json(), "ready"),
                gated.cycleMillis(), gatedGating);
        assertThat(moved).as("sticky web1 requests served by another instance").isZero();
        assertThat(heldGating).as("web1's cycle (held socket) less its restart and ready phases, against web2's"
                + " (gated stop-start)").isLessThan(gatedGating);
    }

    private static long phaseMillis(io.vertx.core.json.JsonObject result, String phase) {
        return result.getJsonArray("phases").stream().map(io.vertx.core.json.JsonObject.class::cast)
                .filter(p -> phase.equals(p.getString("name"))).findFirst().orElseThrow().getLong("ms");
    }
}
