package dev.healthgate.it;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's Unicorn 6.0 behind a real HAProxy ({@code retries 0}) under load: web1 restarted by USR2 (a
 * new master as the old one's child inherits the socket; the old pid file becomes {@code .oldbin}, the
 * new master writes the pid file; healthgate sends QUIT to the old master once the new one is ready),
 * web2 by HUP (new workers under the same master).
 */
@DisplayName("Unicorn")
class UnicornIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("UnicornIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.server(1, app -> RealServers.unicorn(scenario, app), RealServers.reExecRestart(scenario, "web1", "QUIT"));
        scenario.server(2, app -> RealServers.unicorn(scenario, app), RealServers.hupRestart(scenario, "web2"));
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("USR2 (new master, then QUIT to the old) and HUP (new workers) fail no request and move no sticky client")
    void usr2AndHupFailNothing() {
        LoadGenerator load = scenario.startLoad(RealServers.USERS, RealServers.RATE);
        scenario.awaitWarmLoad();

        RealServers.Restart usr2 = RealServers.restartByNewMaster(scenario, "web1", "QUIT");
        RealServers.Restart hup = RealServers.restartInPlace(scenario, "web2");

        RealServers.assertNoLoss(scenario, load, List.of(usr2, hup));
    }
}
