package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad configs and bad calls: refused with the documented exit codes and statuses, changing nothing. */
@DisplayName("Bad input")
class BadInputIT {
    /** A JVM start and a config check: well under this even on a busy 2-core machine. */
    private static final Duration CONFIG_CHECK_BOUND = Duration.ofSeconds(30);

    @Nested
    @DisplayName("healthgate run with a bad config")
    class BadConfig {
        private TestDirs dirs;

        @BeforeEach
        void cleanSlate() {
            NetNs.requireOwnNamespace();
            Iptables.removeHealthgateRules();
        }

        static Stream<Arguments> badConfigs() {
            return Stream.of(
                    bad("an unknown key", dir -> validConfig().app(web1().extra("colour", "blue")).app(web2()),
                            "apps[0].colour", "unknown key"),
                    bad("a port out of range", dir -> validConfig().app(web1()).app(web2().port(70000)),
                            "apps[1].port = 70000", "must be a port number 1-65535"),
                    bad("a duplicate app name", dir -> validConfig().app(web1()).app(web2().name("web1")),
                            "apps[1].name = web1", "duplicate app name"),
                    bad("a duplicate port", dir -> validConfig().app(web1()).app(web2().statusPort(9001)),
                            "apps[1].status-port = 9001", "duplicate port"));
        }

        @ParameterizedTest(name = "with {0} exits with code 2, names the key and creates no rule")
        @MethodSource("badConfigs")
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        void runWithABadConfigExitsWithCode2(String what, Function<Path, HealthgateConfig> config,
                List<String> expected) {
            dirs = TestDirs.create("BadInputIT-" + what);
            Path file = config.apply(dirs.scenario()).writeTo(dirs.scenario().resolve("healthgate.yml"));

            CommandResult run = Healthgate.run(dirs.logs(), CONFIG_CHECK_BOUND, List.of("run", "--config", file.toString()));

            assertThat(run.exitCode()).as("exit code of healthgate run with %s: %s", what, run).isEqualTo(2);
            for (String fragment : expected) {
                assertThat(run.output()).as("output of healthgate run with %s names '%s': %s", what, fragment, run)
                        .contains(fragment);
            }
            assertThat(Iptables.healthgateRules()).as("healthgate rules after a refused config").isEmpty();
        }

        @Test
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        @DisplayName("with a missing file exits with code 2, names the file and creates no rule")
        void runWithAMissingFileExitsWithCode2() {
            dirs = TestDirs.create("BadInputIT-missing-file");
            Path missing = dirs.scenario().resolve("no-such-healthgate.yml");

            CommandResult run = Healthgate.run(dirs.logs(), CONFIG_CHECK_BOUND,
                    List.of("run", "--config", missing.toString()));

            assertThat(run.exitCode()).as("exit code of healthgate run with a missing file: %s", run).isEqualTo(2);
            assertThat(run.output()).as("output names the missing file: %s", run)
                    .contains("config file not found").contains(missing.toString());
            assertThat(Iptables.healthgateRules()).as("healthgate rules after a missing config").isEmpty();
        }

        private static Arguments bad(String what, Function<Path, HealthgateConfig> config, String... expected) {
            return Arguments.of(what, config, List.of(expected));
        }

        private static HealthgateConfig validConfig() {
            return new HealthgateConfig();
        }

        private static HealthgateConfig.App web1() {
            return new HealthgateConfig.App("web1", 8001, 9001, 9101);
        }

        private static HealthgateConfig.App web2() {
            return new HealthgateConfig.App("web2", 8002, 9002, 9102);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("a running healthgate")
    class RunningHealthgate {
        /** Long enough that a second call surely lands while the first restart runs. */
        private static final Duration SLOW_BOOT = Duration.ofSeconds(4);

        private TestDirs dirs;
        private DemoApps apps;
        private Healthgate healthgate;
        private Haproxy haproxy;

        @BeforeAll
        void start() {
            NetNs.requireOwnNamespace();
            Iptables.removeHealthgateRules();
            dirs = TestDirs.create("BadInputIT-running");
            apps = new DemoApps(dirs.scenario().resolve("apps"), dirs.logs());
            apps.start("web1", 8001);
            HealthgateConfig config = new HealthgateConfig().app(new HealthgateConfig.App("web1", 8001, 9001, 9101)
                    .restartExec(apps.restartCommand("web1", 8001, SLOW_BOOT))
                    .stickyGrace(Duration.ofSeconds(1))
                    .readyTimeout(Duration.ofSeconds(30)));
            healthgate = new Healthgate(dirs, config);
            Path haproxyConfig = healthgate.renderHaproxyConfig();
            healthgate.start();
            // healthgate watches HAProxy's checks during a cycle, so a real HAProxy checks web1
            haproxy = Haproxy.start(haproxyConfig, 8080, dirs.logs());
            healthgate.awaitAllInRotation();
        }

        @AfterAll
        void stop() {
            try {
                haproxy.close();
                healthgate.close();
                apps.close();
            } finally {
                Iptables.removeHealthgateRules();
            }
        }

        @Test
        @DisplayName("answers 404 naming the app for an unknown app, and the CLI exits with code 5")
        void unknownAppIs404() {
            HttpResult api = healthgate.get("/v1/apps/nope");

            assertThat(api.status()).as("status of GET /v1/apps/nope: %s", api).isEqualTo(404);
            assertThat(api.json().getString("error")).as("error of GET /v1/apps/nope").contains("nope");
            CommandResult cli = healthgate.client("status", "nope");
            assertThat(cli.exitCode()).as("exit code of healthgate status nope: %s", cli).isEqualTo(5);
        }

        @Test
        @Timeout(value = 2, unit = TimeUnit.MINUTES)
        @DisplayName("answers 409 to a second restart while one runs, and the CLI exits with code 4")
        void secondRestartWhileOneRunsIs409() {
            ManagedProcess first = Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/restart",
                    Duration.ofSeconds(90), dirs.log("first-restart.log"));
            try {
                Await.until("web1 to be busy with the first restart", Duration.ofSeconds(10),
                        () -> healthgate.get("/v1/apps/web1").json().getBoolean("busy", false),
                        () -> healthgate.get("/v1/apps/web1").toString());

                HttpResult second = healthgate.post("/v1/apps/web1/restart");
                assertThat(second.status()).as("status of a second POST /v1/apps/web1/restart: %s", second)
                        .isEqualTo(409);
                assertThat(second.json().getString("error")).as("error of the second restart")
                        .contains("already running");
                CommandResult cli = healthgate.client("restart", "web1");
                assertThat(cli.exitCode()).as("exit code of healthgate restart web1 while one runs: %s", cli)
                        .isEqualTo(4);
                assertThat(first.isAlive()).as("the first restart is still running after the refused ones").isTrue();
            } finally {
                first.waitForExit(Duration.ofSeconds(90));
            }
            HttpResult firstResult = Curl.parseLog(first.log());
            assertThat(firstResult.status()).as("status of the first restart: %s", firstResult).isEqualTo(200);
            JsonObject result = firstResult.json();
            assertThat(result.getString("state")).as("state after the first restart: %s", result)
                    .isEqualTo("IN_ROTATION");
        }
    }
}
