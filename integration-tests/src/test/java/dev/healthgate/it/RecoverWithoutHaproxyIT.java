package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A supervised app crashes while HAProxy is down (a load balancer restarted, or a site-wide outage).
 * healthgate starts it again on its own, with no operator to tell; its restore cannot see HAProxy act,
 * for nothing checks. It must leave the app in rotation with its gates open (saying the restore is not
 * confirmed), so that HAProxy, once back, finds it up. Closing them instead would keep the app out of
 * rotation until someone noticed. The gates that observe the restore are the ones that can tell.
 */
@DisplayName("A supervised app that crashes while HAProxy is down")
class RecoverWithoutHaproxyIT {

    @ParameterizedTest(name = "gate {0}")
    @ValueSource(strings = {"port", "http-404", "agent"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("is started again and left in rotation, unconfirmed; HAProxy, once back, balances it at once")
    void recoveredWhileHaproxyIsDown(String gate) {
        try (WrappedAppsScenario scenario = new WrappedAppsScenario(TestDirs.create("RecoverWithoutHaproxyIT-" + gate))) {
            scenario.supervised(1).gate(gate);
            scenario.supervised(2).gate(gate);
            scenario.start();
            Healthgate healthgate = scenario.healthgate();
            scenario.stopHaproxy();

            long killed = scenario.supervisedPid("web1");
            CommandResult kill = Command.of("kill", "-KILL", Long.toString(killed)).run();
            assertThat(kill.exitCode()).as("kill -KILL %d: %s", killed, kill).isZero();

            JsonObject app = Await.value("web1's recover cycle to end", Duration.ofSeconds(45), () -> {
                JsonObject now = healthgate.get("/v1/apps/web1").json();
                JsonObject last = now.getJsonObject("lastCycle");
                return !now.getBoolean("busy") && last != null && "recover".equals(last.getString("action"))
                        ? Optional.of(now) : Optional.empty();
            }, () -> healthgate.get("/v1/apps/web1") + "\n" + healthgate.daemon().logTail(20));
            JsonObject cycle = app.getJsonObject("lastCycle");
            assertThat(cycle.getBoolean("ok")).as("the recover cycle succeeded: %s", app).isTrue();
            assertThat(app.getString("state")).as("web1's state: %s", app).isEqualTo("IN_ROTATION");
            assertThat(GatesIT.phase(cycle, "restore").getString("note"))
                    .as("the restore says HAProxy did not confirm it: %s", app).startsWith("not confirmed by ")
                    .contains("since the gates opened");
            assertThat(app.getJsonObject("gates").getString("main"))
                    .as("web1's main gate is open for HAProxy's next check: %s", app).isEqualTo("open");
            assertThat(scenario.supervisedPid("web1")).as("web1's new pid").isNotEqualTo(killed);

            scenario.startHaproxyAgain(); // waits until web1 and web2 both serve through HAProxy
        }
    }
}
