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

        static Stream<Arguments> badEdits() {
            return Stream.of(
                    Arguments.of("a port given as text", "port: 8002", "port: eighty",
                            "apps[1].port = eighty: must be a port number 1-65535"),
                    Arguments.of("a negative port", "port: 8002", "port: -1",
                            "apps[1].port = -1: must be a port number 1-65535"),
                    Arguments.of("a list where a mapping goes", "haproxy:\n", "haproxy: [1, 2]\nignored:\n",
                            "haproxy = [1, 2]: must be a mapping of keys"),
                    Arguments.of("a number where a count goes, as text", "  fall: 2", "  fall: two",
                            "haproxy.fall = two: must be a whole number"),
                    Arguments.of("an unquoted token (octal to YAML)", "control:\n", "control:\n  token: 0123\n",
                            "control.token: must be a string, but YAML read the number 83"));
        }

        @ParameterizedTest(name = "with {0} exits with code 2, names the key and creates no rule")
        @MethodSource("badEdits")
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        void runWithAWrongTypeExitsWithCode2(String what, String from, String to, String expected) throws Exception {
            dirs = TestDirs.create("BadInputIT-" + what);
            String yaml = validConfig().app(web1()).app(web2()).toYaml();
            assertThat(yaml).as("the valid config has %s", from).contains(from);
            Path file = java.nio.file.Files.writeString(dirs.scenario().resolve("healthgate.yml"),
                    yaml.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));

            CommandResult run = Healthgate.run(dirs.logs(), CONFIG_CHECK_BOUND, List.of("run", "--config", file.toString()));

            assertThat(run.exitCode()).as("exit code of healthgate run with %s: %s", what, run).isEqualTo(2);
            assertThat(run.output()).as("output of healthgate run with %s: %s", what, run).contains(expected);
            assertThat(Iptables.healthgateRules()).as("healthgate rules after a refused config").isEmpty();
        }

        @Test
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        @DisplayName("with its control port in use exits with code 1, says so, and leaves no rule")
        void runWithTheControlPortInUse() throws Exception {
            dirs = TestDirs.create("BadInputIT-control-port-in-use");
            Path file = validConfig().listen("127.0.0.1:9901").app(web1()).app(web2())
                    .writeTo(dirs.scenario().resolve("healthgate.yml"));
            try (java.net.ServerSocket taken = new java.net.ServerSocket(9901, 1,
                    java.net.InetAddress.getByName("127.0.0.1"))) {
                CommandResult run = Healthgate.run(dirs.logs(), CONFIG_CHECK_BOUND,
                        List.of("run", "--config", file.toString()));

                assertThat(run.exitCode()).as("exit code with the control port taken: %s", run).isEqualTo(1);
                assertThat(run.output()).as("output: %s", run).contains("cannot listen on control.listen 127.0.0.1:" + taken.getLocalPort());
            }
            assertThat(Iptables.healthgateRules()).as("healthgate rules after a failed start").isEmpty();
        }

        @Test
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        @DisplayName("with a port gate's status port in use exits with code 1 naming the app and the port")
        void runWithAStatusPortInUse() throws Exception {
            dirs = TestDirs.create("BadInputIT-status-port-in-use");
            Path file = validConfig().app(web1().gate("port")).writeTo(dirs.scenario().resolve("healthgate.yml"));
            try (java.net.ServerSocket taken = new java.net.ServerSocket(9101)) {
                CommandResult run = Healthgate.run(dirs.logs(), CONFIG_CHECK_BOUND,
                        List.of("run", "--config", file.toString()));

                assertThat(run.exitCode()).as("exit code with web1's backup status port taken: %s", run).isEqualTo(1);
                assertThat(run.output()).as("output: %s", run).contains("web1: cannot listen on its status ports")
                        .contains("backup-status-port " + taken.getLocalPort());
            }
        }

        @Test
        @Timeout(value = 1, unit = TimeUnit.MINUTES)
        @DisplayName("with an iptables that fails, exits with code 1 naming the nat gate and iptables' own error")
        void runWithAFailingIptables() throws Exception {
            dirs = TestDirs.create("BadInputIT-failing-iptables");
            Path bin = java.nio.file.Files.createDirectories(dirs.scenario().resolve("bin"));
            Path fake = java.nio.file.Files.writeString(bin.resolve("iptables"),
                    "#!/bin/sh\necho 'iptables v0: fake failure for a test' >&2\nexit 4\n");
            fake.toFile().setExecutable(true);
            Path file = validConfig().app(web1()).app(web2()).writeTo(dirs.scenario().resolve("healthgate.yml"));

            CommandResult run = Command.of(ItEnv.healthgateLauncher().toString(), "run", "--config", file.toString())
                    .env("PATH", bin + ":" + System.getenv("PATH")).timeout(CONFIG_CHECK_BOUND)
                    .logTo(dirs.logs(), "healthgate-run-fake-iptables").run();

            assertThat(run.exitCode()).as("exit code with a failing iptables: %s", run).isEqualTo(1);
            assertThat(run.output()).as("output: %s", run).contains("the nat gate cannot read or change iptables")
                    .contains("fake failure for a test");
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
        @Timeout(value = 2, unit = TimeUnit.MINUTES)
        @DisplayName("refuses what a web page or a hostile client sends, each naming why, and web1 is not touched")
        void hostileRequestsChangeNothing() {
            JsonObject before = healthgate.get("/v1/apps/web1").json();
            String base = healthgate.apiBase();
            Duration t = Duration.ofSeconds(20);
            record Case(String what, String method, String path, List<String> curlArgs, int status, String says) {
            }
            String huge = "{\"a\":\"" + "x".repeat(100_000) + "\"}";
            List<Case> cases = List.of(
                    new Case("a form POST from another site", "POST", "/v1/apps/web1/restart",
                            List.of("-H", "Origin: https://evil.example", "-d", "a=1"), 403, "Origin: https://evil.example"),
                    new Case("a text/plain POST", "POST", "/v1/roll",
                            List.of("-H", "Content-Type: text/plain", "--data-binary", "x"), 403, "Content-Type: text/plain"),
                    new Case("a cross-site fetch", "POST", "/v1/apps/web1/drain",
                            List.of("-H", "Sec-Fetch-Site: cross-site"), 403, "Sec-Fetch-Site: cross-site"),
                    new Case("a rebinding Host", "GET", "/v1/apps",
                            List.of("-H", "Host: rebind.evil.example"), 403, "Host: rebind.evil.example"),
                    new Case("malformed JSON", "POST", "/v1/apps/web1/drain",
                            List.of("-H", "Content-Type: application/json", "--data-binary", "{\"x\":"), 400, "not a JSON object"),
                    new Case("a body past 64 KiB", "POST", "/v1/apps/web1/drain",
                            List.of("-H", "Content-Type: application/json", "--data-binary", huge), 413, "too large"),
                    new Case("../ in the path", "POST", "/v1/apps/web1/drain/../restart",
                            List.of("--path-as-is"), 400, "not a control API path"),
                    new Case("%2e%2e in the path", "POST", "/v1/apps/%2e%2e/drain", List.of(), 400, "not a control API path"),
                    new Case("a control character in the name", "POST", "/v1/apps/web%01/drain", List.of(), 400,
                            "not a control API path"),
                    new Case("a 300-character name", "POST", "/v1/apps/" + "w".repeat(300) + "/drain", List.of(), 400,
                            "not an app name"));
            for (Case c : cases) {
                HttpResult r = Curl.call(c.method(), base + c.path(), t, c.curlArgs());
                assertThat(r.status()).as("%s: %s", c.what(), r).isEqualTo(c.status());
                assertThat(r.json().getString("error")).as("%s: error", c.what()).contains(c.says());
            }
            JsonObject after = healthgate.get("/v1/apps/web1").json();
            assertThat(after.getString("state")).as("web1's state").isEqualTo("IN_ROTATION");
            assertThat(after.getValue("lastCycle")).as("web1's last cycle").isEqualTo(before.getValue("lastCycle"));
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
