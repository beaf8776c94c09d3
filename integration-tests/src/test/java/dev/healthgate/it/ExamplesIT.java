package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples of {@code scripts/examples/} as a user meets them: each healthgate.yml renders an HAProxy
 * config that HAProxy accepts, and one wrapped app runs from the command line alone
 * ({@code healthgate run --name web1 --port 8001 --status-port 9001 -- CMD}) behind a real HAProxy.
 */
@DisplayName("The examples")
class ExamplesIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain.healthgate.yml", "unicorn.healthgate.yml", "puma.healthgate.yml",
            "gunicorn.healthgate.yml", "puma-real.healthgate.yml", "unicorn-real.healthgate.yml", "nginx.healthgate.yml",
            "tomcat.healthgate.yml"})
    @DisplayName("each example config renders an HAProxy config that haproxy -c accepts")
    void exampleConfigsAreValid(String file) {
        TestDirs dirs = TestDirs.create("ExamplesIT-" + file);
        Path config = ItEnv.repoRoot().resolve("scripts/examples").resolve(file);
        Path out = dirs.scenario().resolve("haproxy.cfg");
        CommandResult r = Healthgate.run(dirs.logs(), Duration.ofSeconds(60),
                List.of("haproxy-config", "--config", config.toString(), "--output", out.toString()));
        assertThat(r.exitCode()).as("healthgate haproxy-config --config %s: %s", file, r).isZero();
        Haproxy.check(out, dirs.logs());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("one app given on the command line alone is started, gated (port gate), restarted and stopped with healthgate")
    void oneAppOnTheCommandLine() throws Exception {
        NetNs.requireOwnNamespace();
        TestDirs dirs = TestDirs.create("ExamplesIT-oneAppOnTheCommandLine");
        List<String> run = new ArrayList<>(List.of(ItEnv.healthgateLauncher().toString(), "run", "--name", "web1",
                "--port", "8001", "--status-port", "9001", "--ready-http", "/health", "--stop-timeout", "10s",
                "--state-dir", dirs.scenario().resolve("state").toString(), "--",
                "python3", ItEnv.repoRoot().resolve("scripts/examples/plain_app.py").toString(), "--name", "web1",
                "--port", "8001", "--boot-delay", "0.5"));

        List<String> print = new ArrayList<>(run.subList(1, run.size()));
        print.add(print.indexOf("--"), "--print-config");
        CommandResult printed = Healthgate.run(dirs.logs(), Duration.ofSeconds(60), print);
        assertThat(printed.exitCode()).as("healthgate run ... --print-config: %s", printed).isZero();
        Path yml = Files.writeString(dirs.scenario().resolve("healthgate.yml"), printed.stdout());
        Path haproxyConfig = dirs.scenario().resolve("haproxy.cfg");
        CommandResult rendered = Healthgate.run(dirs.logs(), Duration.ofSeconds(60),
                List.of("haproxy-config", "--config", yml.toString(), "--output", haproxyConfig.toString()));
        assertThat(rendered.exitCode()).as("healthgate haproxy-config: %s", rendered).isZero();

        try (Haproxy haproxy = Haproxy.start(haproxyConfig, 8080, dirs.logs());
                ManagedProcess healthgate = ManagedProcess.start("healthgate", run, dirs.log("healthgate.log"))) {
            Await.until("web1 to serve through HAProxy", Duration.ofSeconds(60), () -> {
                if (!healthgate.isAlive()) {
                    throw new AssertionError("healthgate exited:\n" + healthgate.logTail(30));
                }
                HttpResult r = Curl.get("http://127.0.0.1:8080/", Duration.ofSeconds(2));
                return r.status() == 200 && r.body().strip().equals("web1");
            }, () -> healthgate.logTail(30) + "\n" + haproxy.process().logTail(10));

            CommandResult restart = Healthgate.run(dirs.logs(), Duration.ofSeconds(90), List.of("restart", "web1"));
            assertThat(restart.exitCode()).as("healthgate restart web1: %s", restart).isZero();
            assertThat(restart.stdout()).as("healthgate restart web1: %s", restart).contains("IN_ROTATION");
            assertThat(healthgate.log()).as("healthgate's log has the app's output under its name")
                    .containsPattern("(?m) web1 - \\S+ web1\\[\\d+\\] listening on 127.0.0.1:8001$");

            assertThat(healthgate.stop(Duration.ofSeconds(20))).as("healthgate's exit code on TERM").isIn(0, 143);
            assertThat(healthgate.log()).as("the app stopped with healthgate").contains("web1 - ")
                    .containsPattern("web1\\[\\d+\\] got SIGTERM: stopping");
            assertThat(Ports.accepts("127.0.0.1", 8001)).as("the app's port is closed once healthgate stopped").isFalse();
        }
    }
}
