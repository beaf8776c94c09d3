package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Parallel calls from real clients (curl processes, the CLI) to a real healthgate with three supervised
 * apps behind a real HAProxy: one cycle per app, and a roll that holds the whole host.
 */
@DisplayName("Parallel calls to a running healthgate")
class ConcurrencyIT {

    private static final Duration CALL_BOUND = Duration.ofSeconds(90);

    private WrappedAppsScenario scenario;
    private TestDirs dirs;

    @BeforeEach
    void startScenario(TestInfo test) {
        dirs = TestDirs.create("ConcurrencyIT-" + test.getTestMethod().orElseThrow().getName());
        scenario = WrappedAppsScenario.startSupervised(dirs, 3);
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    private List<HttpResult> awaitAll(List<ManagedProcess> calls) {
        List<HttpResult> out = new ArrayList<>();
        for (ManagedProcess call : calls) {
            call.waitForExit(CALL_BOUND);
            out.add(Curl.parseLog(call.log()));
        }
        return out;
    }

    /** Matches of {@code regex}; HAProxy's log has each event once at a line start (and again as a warning). */
    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("six restarts of web1 sent at once: exactly one runs, five answer 409 naming it; HAProxy sees one cycle")
    void oneCyclePerApp() {
        Healthgate healthgate = scenario.healthgate();
        int mark = scenario.haproxy().log().length();
        List<ManagedProcess> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/restart", CALL_BOUND,
                    dirs.log("restart-" + i + ".log")));
        }
        List<HttpResult> answers = awaitAll(calls);

        assertThat(answers).as("answers").filteredOn(a -> a.status() == 200).hasSize(1);
        assertThat(answers).as("answers").filteredOn(a -> a.status() == 409).hasSize(5).allSatisfy(a -> {
            JsonObject body = a.json();
            assertThat(body.getString("app")).isEqualTo("web1");
            assertThat(body.getString("running")).isEqualTo("restart");
            assertThat(body.getString("state")).isNotBlank();
        });
        Await.until("HAProxy to have web1 back", Duration.ofSeconds(15),
                () -> scenario.haproxy().log().substring(mark).contains("Server app/web1 is UP"));
        String log = scenario.haproxy().log().substring(mark);
        assertThat(count(log, "(?m)^Server app/web1 is DOWN")).as("web1 taken out by HAProxy, in:%n%s", log).isEqualTo(1);
        assertThat(count(log, "(?m)^Server app/web1 is UP")).as("web1 put back by HAProxy, in:%n%s", log).isEqualTo(1);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("during a roll a drain of another app and a second roll answer 409 saying where the roll is; two apps stay in")
    void rollHoldsTheHost() {
        Healthgate healthgate = scenario.healthgate();
        int mark = scenario.haproxy().log().length();
        ManagedProcess roll = Curl.postInBackground(healthgate.apiBase() + "/v1/roll", CALL_BOUND, dirs.log("roll.log"));
        HttpResult rolled;
        try {
            Await.until("the roll to be at web1", Duration.ofSeconds(10),
                    () -> healthgate.get("/v1/apps/web1").json().getBoolean("busy", false));

            HttpResult drain = healthgate.post("/v1/apps/web3/drain");
            HttpResult second = healthgate.post("/v1/roll");
            CommandResult cli = healthgate.client("restart", "web2");

            assertThat(drain.status()).as("drain of web3 during the roll: %s", drain).isEqualTo(409);
            assertThat(drain.json().getString("error")).contains("a roll is running").contains("no drain of web3");
            assertThat(drain.json().getJsonObject("roll").getJsonArray("apps")).containsExactly("web1", "web2", "web3");
            assertThat(second.status()).as("a second roll: %s", second).isEqualTo(409);
            assertThat(cli.exitCode()).as("healthgate restart web2 during the roll: %s", cli).isEqualTo(4);
            assertThat(cli.output()).contains("a roll is running");
        } finally {
            roll.waitForExit(CALL_BOUND);
            rolled = Curl.parseLog(roll.log());
        }
        assertThat(rolled.status()).as("the roll: %s", rolled).isEqualTo(200);
        assertThat(healthgate.state("web3")).as("web3 after the roll").isEqualTo("IN_ROTATION");
        assertThat(scenario.activeCountsSince(mark)).as("HAProxy's active servers at each change during the roll")
                .isNotEmpty().allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2));
        assertThat(healthgate.post("/v1/apps/web3/drain").status()).as("a drain once the roll is over").isEqualTo(200);
    }
}
