package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.it.AppHost.AppKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The deploy hooks {@code scripts/hooks/drain|restore|restart} as a deploy tool runs them: on an app
 * host ({@link AppHost}: a namespace with two socket hand-over apps and healthgate, its API on the
 * host's address with a token read from a file) behind a real HAProxy, run inside the host; then the
 * Capistrano task of {@code scripts/examples/capistrano} with the real {@code cap}, which runs them on the
 * host through SSHKit's local backend.
 */
@DisplayName("The deploy hooks scripts/hooks and the Capistrano task")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HooksIT {
    private static final int FRONTEND_PORT = 8080;

    private final String token = UUID.randomUUID().toString();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestDirs dirs;
    private AppHost host;
    private Path tokenFile;

    @BeforeAll
    void startHost() throws IOException {
        NetNs.requireOwnNamespace();
        dirs = TestDirs.create("HooksIT");
        host = new AppHost(dirs, 1, "nat", AppKind.SOCKET_HANDOVER).withApiOnAddress(token)
                .withRestartTimeout(Duration.ofSeconds(5));
        host.create();
        host.startApps();
        HealthgateConfig all = new HealthgateConfig().retries(0).app(host.app(0)).app(host.app(1));
        Haproxy haproxy = Haproxy.start(LbSide.renderHaproxyConfig(dirs, all, LbSide.shortSocketPath(toClose)),
                FRONTEND_PORT, dirs.logs());
        toClose.add(haproxy);
        toClose.add(host::stopHealthgate);
        host.startHealthgate();
        host.awaitAllInRotation();
        tokenFile = dirs.scenario().resolve("token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    void stopHost() {
        Cleanup cleanup = new Cleanup();
        cleanup.closeAll(toClose);
        if (host != null) {
            cleanup.run(host::delete);
        }
        cleanup.throwIfFailed("cleaning up the host");
    }

    @Test
    @Order(1)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    @DisplayName("restart: exit 0 once the app is back in rotation, each phase printed, the token on no command line")
    void restarts() {
        long before = host.pid("web1");
        Set<String> cmdlinesWithToken = ConcurrentHashMap.newKeySet();
        Sampler watch = Sampler.every("cmdline-watch", Duration.ofMillis(20), Duration.ofMinutes(1),
                () -> cmdlinesWithToken.addAll(commandLinesHolding(token)));
        CommandResult r;
        try {
            r = hook("restart", "--token-file", tokenFile.toString(), "web1");
        } finally {
            watch.close();
        }

        assertThat(r.exitCode()).as("exit code: %s", r.describe()).isZero();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(r.stdout()).as("the hook's progress")
                .containsPattern("(?m)^web1\\s+drain\\s+\\d+ ms  observed \\S+ out after \\d+ ms$")
                .containsPattern("(?m)^web1\\s+restore\\s+\\d+ ms  observed \\S+ in after \\d+ ms$")
                .containsPattern("(?m)^web1\\s+IN_ROTATION\\s+restart done in \\d+ s$");
        soft.assertThat(host.pid("web1")).as("web1's pid (a new master)").isNotEqualTo(before);
        soft.assertThat(host.api("GET", "/v1/apps/web1").json().getString("state")).isEqualTo("IN_ROTATION");
        soft.assertThat(cmdlinesWithToken).as("command lines (as ps shows them) that held the token").isEmpty();
        soft.assertAll();
    }

    @Test
    @Order(2)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    @DisplayName("drain, then restore: each exits 0 once HAProxy has acted")
    void drainsAndRestores() {
        CommandResult drain = hook("drain", "--token-file", tokenFile.toString(), "web2");
        assertThat(drain.exitCode()).as("drain's exit code: %s", drain.describe()).isZero();
        assertThat(host.api("GET", "/v1/apps/web2").json().getString("state")).as("web2 after drain")
                .isEqualTo("OUT_OF_ROTATION");

        CommandResult restore = hook("restore", "--token-file", tokenFile.toString(), "web2");
        assertThat(restore.exitCode()).as("restore's exit code: %s", restore.describe()).isZero();
        assertThat(restore.stdout()).containsPattern("(?m)^web2\\s+IN_ROTATION\\s+restore done in \\d+ s$");
        assertThat(host.api("GET", "/v1/apps/web2").json().getString("state")).as("web2 after restore")
                .isEqualTo("IN_ROTATION");
    }

    @Test
    @Order(3)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    @DisplayName("exit codes that stop a deploy: 2 bad arguments, 3 unreachable, 4 busy, 5 unknown app, 6 token refused")
    void exitCodes() throws IOException {
        Path wrong = dirs.scenario().resolve("wrong-token");
        Files.writeString(wrong, "not-the-token\n");
        SoftAssertions soft = new SoftAssertions();
        expect(soft, hook("restart"), 2, "give at least one APP");
        expect(soft, hook("restart", "--token-file", tokenFile.toString(), "../v1/roll"), 2, "APP = ../v1/roll");
        expect(soft, hook("restart", "--token-file", dirs.scenario().resolve("none").toString(), "web1"), 2,
                "--token-file = " + dirs.scenario().resolve("none") + ": not a readable file");
        expect(soft, hook("restart", "--token-file", tokenFile.toString(), "--api", "http://" + host.address + ":1",
                "web1"), 3, "cannot reach healthgate at http://" + host.address + ":1");
        expect(soft, hook("restart", "--token-file", tokenFile.toString(), "web9"), 5, "web9: unknown app");
        expect(soft, hook("restart", "--token-file", wrong.toString(), "web1"), 6, "the token was refused");
        expect(soft, hook("restart", "web1"), 6, "the token was refused");
        soft.assertAll();

        ManagedProcess first = ManagedProcess.start("restart web1 in " + host.ns, host.inNs(hookCommand("restart",
                "--token-file", tokenFile.toString(), "web1")), dirs.log("hook-restart-first.log"));
        Await.until("web1 busy", Duration.ofSeconds(10),
                () -> host.api("GET", "/v1/apps/web1").json().getBoolean("busy", false));
        CommandResult second = hook("restart", "--token-file", tokenFile.toString(), "web1");
        assertThat(first.waitForExit(Duration.ofSeconds(30))).as("the first restart: %s", first.log()).isZero();
        expect(new SoftAssertions(), second, 4, "web1: busy").assertAll();
    }

    @Test
    @Order(4)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    @DisplayName("a restart that fails exits 1 with healthgate's reason, and stops before the next app")
    void failedRestart() {
        long web2 = host.pid("web2");
        CommandResult r = withWeb1CrashingOnBoot(() -> hook("restart", "--token-file", tokenFile.toString(),
                "web1", "web2"));
        SoftAssertions soft = expect(new SoftAssertions(), r, 1, "web1: restart failed (state FAILED): ");
        soft.assertThat(host.api("GET", "/v1/apps/web1").json().getString("state")).isEqualTo("FAILED");
        soft.assertThat(host.pid("web2")).as("web2's pid: the hook stopped before it").isEqualTo(web2);
        soft.assertAll();
        // the old master still serves: restore puts it back for whatever runs after this test
        assertThat(hook("restore", "--token-file", tokenFile.toString(), "web1").exitCode()).isZero();
    }

    @Test
    @Order(5)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("cap healthgate:restart (scripts/examples/capistrano) restarts web1, then web2, through the hooks and succeeds")
    void capistranoRestarts() {
        long web1 = host.pid("web1");
        long web2 = host.pid("web2");

        CommandResult r = cap("healthgate:restart");

        assertThat(r.exitCode()).as("cap's exit code: %s", r.describe()).isZero();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(host.pid("web1")).as("web1's pid (a new master)").isNotEqualTo(web1);
        soft.assertThat(host.pid("web2")).as("web2's pid (a new master)").isNotEqualTo(web2);
        for (String app : List.of("web1", "web2")) {
            soft.assertThat(host.api("GET", "/v1/apps/" + app).json().getString("state")).as("%s's state", app)
                    .isEqualTo("IN_ROTATION");
        }
        String out = r.stdout() + r.stderr();
        soft.assertThat(out).as("cap's output shows each hook's restart, web1 first")
                .containsPattern("(?s)web1\\s+IN_ROTATION\\s+restart done.*web2\\s+IN_ROTATION\\s+restart done");
        soft.assertAll();
    }

    @Test
    @Order(6)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("cap healthgate:restart stops the deploy at an app that does not come back, with the hook's reason")
    void capistranoStopsAtAFailedRestart() {
        long web2 = host.pid("web2");
        CommandResult r = withWeb1CrashingOnBoot(() -> cap("healthgate:restart"));
        assertThat(r.exitCode()).as("cap's exit code: %s", r.describe()).isNotZero();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(r.stdout() + r.stderr()).as("cap's output names the app and why")
                .contains("SSHKit::Command::Failed").contains("web1: restart failed (state FAILED): ");
        soft.assertThat(host.pid("web2")).as("web2's pid: the deploy stopped before it").isEqualTo(web2);
        soft.assertAll();
        assertThat(hook("restore", "--token-file", tokenFile.toString(), "web1").exitCode()).isZero();
    }

    /** Runs {@code deploy} while web1's next process crashes on boot. */
    private CommandResult withWeb1CrashingOnBoot(Supplier<CommandResult> deploy) {
        host.arm("web1", "crash-on-boot");
        try {
            return deploy.get();
        } finally {
            host.disarm("web1");
        }
    }

    /**
     * {@code cap test TASK} in a Capistrano project of the test's own: the example task imported as is, the
     * one server {@code localhost} run through SSHKit's local backend, inside the host, where the hooks
     * reach healthgate at {@code HEALTHGATE_API}.
     */
    private CommandResult cap(String task) {
        Path project = dirs.scenario().resolve("capistrano");
        try {
            Files.createDirectories(project.resolve("config/deploy"));
            Files.writeString(project.resolve("Capfile"), """
                    require "capistrano/setup"
                    require "capistrano/deploy"
                    require "capistrano/scm/git"
                    install_plugin Capistrano::SCM::Git
                    import ENV.fetch("HEALTHGATE_RAKE")
                    """);
            Files.writeString(project.resolve("config/deploy.rb"), """
                    set :application, "web"
                    set :healthgate_apps, %w[web1 web2]
                    set :healthgate_hooks, ENV.fetch("HEALTHGATE_HOOKS")
                    set :healthgate_token_file, ENV.fetch("TOKEN_FILE")
                    set :sshkit_backend, SSHKit::Backend::Local
                    """);
            Files.writeString(project.resolve("config/deploy/test.rb"), "server \"localhost\", roles: %w[app]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Command.of(host.inNs(List.of("cap", "test", task))).directory(project)
                .env("HEALTHGATE_RAKE", ItEnv.repoRoot().resolve("scripts/examples/capistrano/healthgate.rake").toString())
                .env("HEALTHGATE_HOOKS", ItEnv.repoRoot().resolve("scripts/hooks").toString())
                .env("TOKEN_FILE", tokenFile.toString())
                .env("HEALTHGATE_API", host.apiBase())
                .timeout(Duration.ofSeconds(90)).logTo(dirs.logs(), "cap-" + task.replace(':', '-')).run();
    }

    private static SoftAssertions expect(SoftAssertions soft, CommandResult r, int code, String message) {
        soft.assertThat(r.exitCode()).as("exit code of %s", r.describe()).isEqualTo(code);
        soft.assertThat(r.stderr()).as("what %s says", r.command()).contains(message);
        return soft;
    }

    private CommandResult hook(String name, String... args) {
        return Command.of(host.inNs(hookCommand(name, args))).timeout(Duration.ofSeconds(45))
                .logTo(dirs.logs(), "hook-" + name).run();
    }

    private List<String> hookCommand(String name, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ItEnv.repoRoot().resolve("scripts/hooks").resolve(name).toString(),
                "--api", host.apiBase()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The command lines (what ps shows) of every process that hold {@code secret}. */
    private static List<String> commandLinesHolding(String secret) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(secret)) {
                        out.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
