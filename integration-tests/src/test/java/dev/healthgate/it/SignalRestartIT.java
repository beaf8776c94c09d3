package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Apps restarted by a signal to the pid in their pid file, handing their listening socket over:
 * web1 is Unicorn-like (USR2 re-executes a new master while the old one serves, then QUIT to the old
 * one), web2 is Puma-like (USR1 replaces its workers one by one, the pid stays). The port never closes,
 * so the backup gates stay open and sticky clients never move.
 */
@DisplayName("Signal restarts")
class SignalRestartIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("SignalRestartIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.unicorn(1);
        scenario.puma(2);
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a re-exec on USR2 while the old master drains, and a phased restart on USR1, fail no request and move no sticky client")
    void signalRestartsFailNoRequestAndKeepStickyClients() {
        Healthgate healthgate = scenario.healthgate();
        long oldMaster = scenario.pid("web1").orElseThrow();
        long puma = scenario.pid("web2").orElseThrow();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();

        long web1Sent = System.nanoTime();
        HttpResult api = healthgate.post("/v1/apps/web1/restart");
        long web1Answered = System.nanoTime();
        assertThat(api.status()).as("POST /v1/apps/web1/restart: %s", api).isEqualTo(200);
        JsonObject web1 = api.json();
        long newMaster = scenario.pid("web1").orElseThrow();
        assertThat(newMaster).as("web1's pid after USR2").isNotEqualTo(oldMaster);
        assertThat(phaseNames(web1)).as("phases of %s: the backup gate stays open", web1)
                .containsExactly("drain", "restart", "ready", "restore");
        assertThat(note(web1, "restart")).isEqualTo("sent USR2 to pid " + oldMaster + ", new pid " + newMaster);
        assertThat(note(web1, "ready")).as("ready note of %s", web1).startsWith("sent QUIT to old pid " + oldMaster
                + "; it exited after ");
        assertThat(ProcessHandle.of(oldMaster).map(ProcessHandle::isAlive)).as("old master alive")
                .isNotEqualTo(java.util.Optional.of(true));

        CommandResult cli = healthgate.client("restart", "web2");
        assertThat(cli.exitCode()).as("healthgate restart web2: %s", cli).isZero();
        assertThat(cli.stdout()).as("healthgate restart web2 ends IN_ROTATION: %s", cli).contains("IN_ROTATION");
        assertThat(scenario.pid("web2")).as("web2's pid after USR1").isEqualTo(OptionalLong.of(puma));
        long web2Answered = System.nanoTime();

        Await.until("both apps to serve new clients again", Duration.ofSeconds(15), () -> load.report().records()
                .stream().filter(r -> !r.sticky() && r.startNanos() - web2Answered > 0)
                .map(RequestRecord::servedBy).distinct().count() == 2);
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        for (String app : List.of("web1", "web2")) {
            List<RequestRecord> sticky = report.matching(r -> r.sticky() && app.equals(r.cookieSent()));
            soft.assertThat(sticky).as("requests of sticky %s clients", app).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.servedBy()).as("instance that served %s", r).isEqualTo(app));
        }
        soft.assertThat(report.matching(r -> r.sticky() && "web1".equals(r.cookieSent())
                        && r.startedBetween(web1Sent, web1Answered)))
                .as("sticky web1 clients were served during its restart").isNotEmpty();
        soft.assertThat(healthgate.state("web1")).isEqualTo("IN_ROTATION");
        soft.assertThat(healthgate.state("web2")).isEqualTo("IN_ROTATION");
        soft.assertAll();
    }

    static List<String> phaseNames(JsonObject result) {
        return result.getJsonArray("phases").stream().map(p -> ((JsonObject) p).getString("name")).toList();
    }

    static String note(JsonObject result, String phase) {
        return result.getJsonArray("phases").stream().map(JsonObject.class::cast)
                .filter(p -> phase.equals(p.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + phase + " phase in " + result)).getString("note");
    }
}
