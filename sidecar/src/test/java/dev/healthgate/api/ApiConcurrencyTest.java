package dev.healthgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Parallel HTTP requests against the real control API: one cycle per app, a roll holds the whole fleet,
 * and the gate flips never interleave. Every refused call is a 409 that says what runs.
 */
@DisplayName("Parallel calls to the control API")
class ApiConcurrencyTest {

    private ApiFixture api;
    private ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(null, "web1", "web2", "web3");
        pool = Executors.newFixedThreadPool(12);
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        api.close();
    }

    /** Starts all calls at once (as nearly as threads allow) and waits for every answer, bounded. */
    private List<RawHttp.Answer> together(List<Callable<RawHttp.Answer>> calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RawHttp.Answer>> answers = new ArrayList<>();
        for (Callable<RawHttp.Answer> call : calls) {
            answers.add(pool.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        List<RawHttp.Answer> out = new ArrayList<>();
        for (Future<RawHttp.Answer> f : answers) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    /** Replays the flips: at no moment are two apps' main lines closed, and each app's flips alternate. */
    private void assertFlipsNeverOverlap() {
        Set<String> closedMain = new HashSet<>();
        Set<String> closedLines = new HashSet<>();
        for (String flip : api.flips) {
            String[] words = flip.split(" "); // app, open|close, line
            String line = words[0] + " " + words[2];
            if (words[1].equals("close")) {
                assertThat(closedLines.add(line)).as("%s closed twice in a row in %s", line, api.flips).isTrue();
                if (words[2].equals("main")) {
                    closedMain.add(words[0]);
                }
            } else {
                assertThat(closedLines.remove(line)).as("%s opened twice in a row in %s", line, api.flips).isTrue();
                closedMain.remove(words[0]);
            }
            assertThat(closedMain).as("apps out of rotation at once, after '%s' in %s", flip, api.flips)
                    .hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    @DisplayName("eight restarts of one app at once: exactly one runs, the others answer 409 with what runs")
    void oneCyclePerApp() throws Exception {
        List<Callable<RawHttp.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> api.http().post("/v1/apps/web1/restart"));
        }
        List<RawHttp.Answer> answers = together(calls);

        assertThat(answers).as("answers").filteredOn(a -> a.status() == 200).hasSize(1);
        assertThat(answers).as("answers").filteredOn(a -> a.status() == 409).hasSize(7)
                .allSatisfy(a -> {
                    JsonObject body = a.json();
                    assertThat(body.getString("error")).contains("restart of web1 is already running");
                    assertThat(body.getString("app")).isEqualTo("web1");
                    assertThat(body.getString("running")).isEqualTo("restart");
                    assertThat(body.getString("state")).isIn("DRAINING", "OUT_OF_ROTATION", "RESTARTING", "RESTORING");
                });
        assertThat(api.flips).as("one cycle's flips, once")
                .containsExactly("web1 close main", "web1 close backup", "web1 open backup", "web1 open main");
    }

    @Test
    @DisplayName("a roll holds the fleet: a drain of another app and a second roll answer 409 saying where it is")
    void rollHoldsTheFleet() throws Exception {
        Future<RawHttp.Answer> roll = pool.submit(() -> api.http().post("/v1/roll"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (api.fleet.roll() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(api.fleet.roll()).as("the roll started").isNotNull();

        RawHttp.Answer list = api.http().get("/v1/apps");
        RawHttp.Answer drain = api.http().post("/v1/apps/web3/drain");
        RawHttp.Answer second = api.http().post("/v1/roll");
        RawHttp.Answer rolled = roll.get(30, TimeUnit.SECONDS);

        assertThat(drain.status()).as("drain of web3 during the roll: %s", drain).isEqualTo(409);
        assertThat(drain.json().getString("error")).contains("a roll is running").contains("no drain of web3");
        assertThat(drain.json().getJsonObject("roll").getString("at")).isIn("web1", "web2", "web3");
        assertThat(drain.json().getJsonObject("roll").getJsonArray("apps")).containsExactly("web1", "web2", "web3");
        assertThat(second.status()).as("second roll: %s", second).isEqualTo(409);
        assertThat(list.json().getJsonObject("roll")).as("GET /v1/apps during the roll: %s", list).isNotNull();
        assertThat(list.json().getJsonObject("roll").getString("at")).isIn("web1", "web2", "web3");
        assertThat(api.http().get("/v1/apps").json().getValue("roll")).as("roll once it is over").isNull();
        assertThat(second.json().getString("error")).contains("a roll is already running");
        assertThat(rolled.status()).as("the roll: %s", rolled).isEqualTo(200);
        assertThat(rolled.json().getJsonArray("results")).hasSize(3);
        assertThat(api.fleet.roll()).as("the claim is released when the roll ends").isNull();
        assertFlipsNeverOverlap();
        assertThat(api.http().post("/v1/apps/web3/drain").status()).as("a drain after the roll").isEqualTo(200);
    }

    @Test
    @DisplayName("a storm of mixed calls from twelve clients: only 200 or 409, one cycle per app, no roll beside another app")
    void mixedStorm() throws Exception {
        String[] targets = {"/v1/roll", "/v1/apps/web1/restart", "/v1/apps/web2/drain", "/v1/apps/web2/restore",
            "/v1/apps/web3/restart", "/v1/apps/web1/drain", "/v1/roll", "/v1/apps/web3/restore",
            "/v1/apps/web1/restore", "/v1/apps/web2/restart", "/v1/apps/web3/drain", "/v1/roll"};
        for (int round = 0; round < 2; round++) {
            List<Callable<RawHttp.Answer>> calls = new ArrayList<>();
            for (String target : targets) {
                calls.add(() -> api.http().post(target));
            }
            List<RawHttp.Answer> answers = together(calls);
            assertThat(answers).as("answers of round %d", round).allSatisfy(a -> assertThat(a.status()).isIn(200, 409));
            assertThat(answers).as("answers of round %d", round).anySatisfy(a -> assertThat(a.status()).isEqualTo(200));
        }
        assertThat(api.fleet.apps()).allSatisfy(app -> assertThat(app.running()).isNull());
    }
}
