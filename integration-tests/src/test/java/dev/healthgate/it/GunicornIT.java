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
 * Debian's Gunicorn 20.1 behind a real HAProxy ({@code retries 0}) under load: web1 restarted by USR2
 * (a new master as the old one's child, its pid in {@code <pidfile>.2}; healthgate sends TERM to the
 * old master once the new one is ready and waits until Gunicorn renames the pid file), web2 by HUP
 * (new workers, same master). The port stays open, so the backup gates stay open.
 */
@DisplayName("Gunicorn")
class GunicornIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("GunicornIT-" + test.getTestMethod().orElseThrow().getName()));
        String pid1 = HealthgateConfig.quote(scenario.pidFile("web1").toString());
        scenario.server(1, app -> RealServers.gunicorn(scenario, app),
                "{ pidfile: " + pid1 + ", signal: USR2, new-pid: true, new-pidfile: "
                        + HealthgateConfig.quote(scenario.pidFile("web1") + ".2") + ", then-old: TERM }");
        scenario.server(2, app -> RealServers.gunicorn(scenario, app), RealServers.hupRestart(scenario, "web2"));
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("USR2 (new master, then TERM to the old) and HUP (new workers) fail no request and move no sticky client")
    void usr2AndHupFailNothing() {
        LoadGenerator load = scenario.startLoad(RealServers.USERS, RealServers.RATE);
        scenario.awaitWarmLoad();

        RealServers.Restart usr2 = RealServers.restartByNewMaster(scenario, "web1", "TERM");
        // Gunicorn's new master writes <pid>.2 and renames it to the pid file once the old one has gone
        assertThat(usr2.note("ready")).as("ready note of %s", usr2)
                .endsWith(scenario.pidFile("web1") + " names pid " + usr2.pidAfter());
        RealServers.Restart hup = RealServers.restartInPlace(scenario, "web2");

        RealServers.assertNoLoss(scenario, load, List.of(usr2, hup));
    }
}
