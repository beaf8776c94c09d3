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
        scenario.server(1, app -> RealServers.unicorn(scenario, app), "{ pidfile: "
                + HealthgateConfig.quote(scenario.pidFile("web1").toString()) + ", signal: USR2, new-pid: true, then-old: QUIT }");
        scenario.server(2, app -> RealServers.unicorn(scenario, app), "{ pidfile: "
                + HealthgateConfig.quote(scenario.pidFile("web2").toString()) + ", signal: HUP, new-pid: false }");
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

        RealServers.Restart usr2 = RealServers.restart(scenario, "web1");
        assertThat(usr2.pidAfter()).as("web1's pid after USR2").isNotEqualTo(usr2.pidBefore());
        assertThat(usr2.note("restart")).isEqualTo("sent USR2 to pid " + usr2.pidBefore() + ", new pid " + usr2.pidAfter());
        assertThat(usr2.note("ready")).as("ready note of %s", usr2)
                .startsWith("sent QUIT to old pid " + usr2.pidBefore() + "; it exited after ");
        assertThat(RealServers.exited(usr2.pidBefore())).as("old master %d exited", usr2.pidBefore()).isTrue();

        RealServers.Restart hup = RealServers.restart(scenario, "web2");
        assertThat(hup.pidAfter()).as("web2's pid after HUP").isEqualTo(hup.pidBefore());
        assertThat(hup.note("ready")).as("ready note of %s", hup).startsWith("old workers [").contains("] gone after ");

        RealServers.assertNoLoss(scenario, load, List.of(usr2, hup));
    }
}
