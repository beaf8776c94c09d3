package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole site boots: the apps and healthgate come up before HAProxy does. restore-on-start cannot
 * see HAProxy act, for nothing checks yet; it must leave the apps in rotation with their gates open
 * (saying the restore is not confirmed) so that HAProxy, once it starts, finds them up. Closing the
 * gates instead would keep every app out of rotation after the boot, until someone restored them.
 */
@DisplayName("A cold boot, HAProxy last")
class ColdStartIT {

    @ParameterizedTest(name = "gate {0}")
    @ValueSource(strings = {"nat", "port", "http-404", "agent"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("restore-on-start without HAProxy leaves the apps in rotation, unconfirmed; HAProxy started later balances both at once, and a restart then is observed")
    void restoreOnStartBeforeHaproxy(String gate) {
        TestDirs dirs = TestDirs.create("ColdStartIT-" + gate);
        try (TwoAppScenario scenario = new TwoAppScenario(dirs)) {
            scenario.startWithoutHaproxy(app -> app.gate(gate), app -> app.gate(gate));
            Healthgate healthgate = scenario.healthgate().awaitAllInRotation();

            SoftAssertions soft = new SoftAssertions();
            for (String name : List.of("web1", "web2")) {
                JsonObject app = healthgate.get("/v1/apps/" + name).json();
                JsonObject last = app.getJsonObject("lastCycle");
                soft.assertThat(last.getString("action")).as("%s's last cycle: %s", name, app).isEqualTo("restore-on-start");
                soft.assertThat(last.getBoolean("ok")).as("%s's start-up restore succeeded: %s", name, app).isTrue();
                soft.assertThat(GatesIT.phase(last, "restore").getString("note"))
                        .as("%s's restore says that no HAProxy confirmed it: %s", name, app)
                        .startsWith("not confirmed: no HAProxy node has checked " + name + "'s status port");
                soft.assertThat(app.getJsonObject("gates").getString("main"))
                        .as("%s's main gate is open for HAProxy's first check: %s", name, app).isEqualTo("open");
            }
            soft.assertAll();

            scenario.startHaproxy(); // waits until web1 and web2 both serve through HAProxy

            HttpResult restart = healthgate.post("/v1/apps/web1/restart");
            assertThat(restart.status()).as("POST /v1/apps/web1/restart: %s", restart).isEqualTo(200);
            JsonObject result = restart.json();
            assertThat(result.getString("state")).as("state after the restart: %s", result).isEqualTo("IN_ROTATION");
            String drain = GatesIT.phase(result, "drain").getString("note");
            String restore = GatesIT.phase(result, "restore").getString("note");
            System.out.printf("gate %s after a cold boot: drain %s; restore %s%n", gate, drain, restore);
            assertThat(drain).as("web1's drain once HAProxy runs: %s", result).startsWith("observed ");
            assertThat(restore).as("web1's restore once HAProxy runs: %s", result).startsWith("observed ");
        }
    }
}
