package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3: two HAProxy processes (load balancers lb1 on 127.0.0.1:8080 and lb2 on 127.0.0.1:8081,
 * each rendered by {@code healthgate haproxy-config --node}) check the same healthgate, which lists
 * both in {@code haproxy.nodes}. Port gate, so that every check carries its node's name.
 */
@DisplayName("Two load balancers checking one healthgate")
class TwoBalancersIT {
    private static final int LB1_PORT = 8080;
    private static final int LB2_PORT = 8081;
    private static final Duration CALL_BOUND = Duration.ofSeconds(60);
    /**
     * Longer than the other tests' 500 ms: while lb2 is frozen, lb1 needs up to fall x inter to take
     * web1 out, and lb2, thawed, (fall - 1) x inter more, all within the drain's bound of
     * (fall + 2) x inter. One second leaves about 900 ms of room instead of 350 ms at 500 ms.
     */
    private static final Duration INTER = Duration.ofSeconds(1);

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @SuppressWarnings("try") // lb2 is closed inside its try block on purpose
    @DisplayName("a drain completes only once both report the line out; with one stopped, the next drain fails naming it and leaves the app FAILED with its gates closed")
    void drainWaitsForBothBalancersAndNamesTheSilentOne() throws IOException {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("TwoBalancersIT");
        DemoApps apps = new DemoApps(dirs.scenario().resolve("apps"), dirs.logs());
        HealthgateConfig config = new HealthgateConfig().nodes(List.of("lb1", "lb2")).inter(INTER)
                .app(portGated(apps, "web1", 8001, 9001, 9101))
                .app(portGated(apps, "web2", 8002, 9002, 9102));
        try (apps; Healthgate healthgate = new Healthgate(dirs, config)) {
            apps.start("web1", 8001);
            apps.start("web2", 8002);
            Path lb1Config = healthgate.renderHaproxyConfig("lb1");
            Path lb2Config = onPort(healthgate.renderHaproxyConfig("lb2"), LB2_PORT, dirs.logs());
            assertThat(Files.readString(lb1Config)).as("lb1's rendered config").containsPattern("(?m)^\\s*node lb1$");
            assertThat(Files.readString(lb2Config)).as("lb2's rendered config").containsPattern("(?m)^\\s*node lb2$");
            healthgate.start();
            try (Haproxy lb1 = Haproxy.start("haproxy-lb1", lb1Config, LB1_PORT, dirs.logs());
                    Haproxy lb2 = Haproxy.start("haproxy-lb2", lb2Config, LB2_PORT, dirs.logs())) {
                healthgate.awaitAllInRotation();
                drainWaitsForTheSecondBalancer(healthgate, lb1, lb2, dirs);

                JsonObject restored = call(healthgate, "restore", 200);
                assertThat(GatesIT.phase(restored, "restore").getString("note"))
                        .as("the restore waited until both load balancers reported web1 in: %s", restored)
                        .startsWith("observed lb1, lb2 in after ");

                lb2.close(); // stopped early on purpose: lb1 alone must now make the drain fail
                drainFailsNamingTheSilentBalancer(healthgate, lb1);
            }
        }
    }

    /**
     * lb2 is frozen (SIGSTOP) while web1 drains: lb1 takes web1 out, but the drain goes on until lb2,
     * thawed, has taken it out too.
     */
    private static void drainWaitsForTheSecondBalancer(Healthgate healthgate, Haproxy lb1, Haproxy lb2, TestDirs dirs) {
        int lb1Mark = lb1.log().length();
        int lb2Mark = lb2.log().length();
        signal("STOP", lb2);
        ManagedProcess drain;
        try {
            drain = Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/drain", CALL_BOUND,
                    dirs.log("web1-drain-curl.log"));
            Await.until("lb1 to mark web1 DOWN", Duration.ofSeconds(10),
                    () -> lb1.log().substring(lb1Mark).contains("Server app/web1 is DOWN"), () -> lb1.process().logTail(10));
            JsonObject app = healthgate.get("/v1/apps/web1").json();
            assertThat(app.getString("state"))
                    .as("web1 is still DRAINING once lb1 has it DOWN, for lb2 has not reported: %s", app)
                    .isEqualTo("DRAINING");
            assertThat(drain.isAlive()).as("POST /v1/apps/web1/drain has not answered yet: %s", drain.log()).isTrue();
        } finally {
            signal("CONT", lb2);
        }
        drain.waitForExit(CALL_BOUND);
        HttpResult answer = Curl.parseLog(drain.log());
        assertThat(answer.status()).as("POST /v1/apps/web1/drain: %s", answer).isEqualTo(200);
        JsonObject result = answer.json();
        assertThat(result.getString("state")).as("state in %s", result).isEqualTo("OUT_OF_ROTATION");
        JsonObject phase = GatesIT.phase(result, "drain");
        System.out.printf("drain with lb2 frozen until lb1 had web1 DOWN: %s%n", phase);
        assertThat(phase.getString("note")).as("the drain names both load balancers it saw act: %s", phase)
                .startsWith("observed lb1, lb2 out after ");
        assertThat(lb2.log().substring(lb2Mark)).as("lb2, thawed, marked web1 DOWN")
                .contains("Server app/web1 is DOWN");
    }

    /** With lb2 stopped, a drain fails after its bound, naming lb2, and both of web1's gates close. */
    private static void drainFailsNamingTheSilentBalancer(Healthgate healthgate, Haproxy lb1) {
        int lb1Mark = lb1.log().length();
        JsonObject result = call(healthgate, "drain", 500);
        String reason = result.getString("reason");
        System.out.printf("drain with lb2 stopped: %s%n", result.encode());
        assertThat(result.getBoolean("ok")).as("ok in %s", result).isFalse();
        assertThat(result.getString("state")).as("state in %s", result).isEqualTo("FAILED");
        assertThat(reason).as("the reason names the silent load balancer lb2, and only it, as the one waited on")
                .contains("waiting on: lb2 main")
                .doesNotContain("lb1 main");
        JsonObject app = healthgate.get("/v1/apps/web1").json();
        assertThat(app.getString("state")).as("state of web1: %s", app).isEqualTo("FAILED");
        assertThat(app.getString("reason")).as("reason of web1: %s", app).isEqualTo(reason);
        assertThat(app.getJsonObject("gates")).as("gates of web1 after the failed drain: %s", app)
                .isEqualTo(new JsonObject().put("main", "closed").put("backup", "closed"));
        Await.until("lb1 to mark web1's backup line DOWN too", Duration.ofSeconds(10),
                () -> lb1.log().substring(lb1Mark).contains("Server app/web1-bkp is DOWN"), () -> lb1.process().logTail(10));
    }

    private static JsonObject call(Healthgate healthgate, String action, int expectedStatus) {
        HttpResult r = healthgate.post("/v1/apps/web1/" + action);
        assertThat(r.status()).as("POST /v1/apps/web1/%s: %s", action, r).isEqualTo(expectedStatus);
        return r.json();
    }

    private static HealthgateConfig.App portGated(DemoApps apps, String name, int port, int status, int backup) {
        return new HealthgateConfig.App(name, port, status, backup).gate("port")
                .restartExec(apps.restartCommand(name, port, TwoAppScenario.BOOT_DELAY))
                .stickyGrace(Duration.ofSeconds(1));
    }

    /** The rendered config binds the frontend to haproxy.bind; the second load balancer needs its own port. */
    private static Path onPort(Path config, int port, Path logDir) {
        try {
            String text = Files.readString(config);
            String moved = text.replaceFirst("(?m)^(\\s*bind 127\\.0\\.0\\.1:)" + LB1_PORT + "$", "$1" + port);
            assertThat(moved).as("%s binds 127.0.0.1:%d", config, LB1_PORT).isNotEqualTo(text);
            Files.writeString(config, moved);
            Haproxy.check(config, logDir);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(String signal, Haproxy haproxy) {
        CommandResult r = Command.of("kill", "-" + signal, Long.toString(haproxy.process().pid())).run();
        assertThat(r.exitCode()).as("kill -%s %s: %s", signal, haproxy.process(), r).isZero();
    }
}
