package dev.healthgate.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.Eventually;
import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.os.Libc;
import dev.healthgate.os.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervise strategy with small shell commands as the app. */
class SuperviseRestartTest {

    private SuperviseRestart app;

    @AfterEach
    void stopApp() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    @DisplayName("starts the app, and stops it with its stop signal")
    void startsAndStops() throws Exception {
        app = supervise(List.of("sleep", "30"), Duration.ofSeconds(5));
        long pid = app.start();

        assertThat(app.isRunning()).isTrue();
        assertThat(Libc.isAlive(pid)).isTrue();
        assertThat(app.start()).as("a second start finds it running").isEqualTo(pid);

        app.stop();
        assertThat(app.isRunning()).isFalse();
        assertThat(Libc.isAlive(pid)).isFalse();
    }

    @Test
    @DisplayName("an app that ignores its stop signal is killed after stop-timeout")
    void killsAfterStopTimeout() throws Exception {
        Path ready = trapReady();
        app = supervise(List.of("sh", "-c", "trap '' TERM; touch \"$0\"; while :; do sleep 0.05; done",
                ready.toString()), Duration.ofMillis(300));
        long pid = app.start();
        Eventually.await("the app set its trap", Duration.ofSeconds(5), () -> Files.exists(ready));

        long t0 = System.nanoTime();
        app.stop();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms to stop")
                .isBetween(300L, 5_000L);
        assertThat(Libc.isAlive(pid)).isFalse();
    }

    @Test
    @DisplayName("the app starts with no signal blocked (the JVM blocks QUIT), so QUIT can stop it gracefully")
    void quitReachesTheApp() throws Exception {
        SuperviseRestart probe = supervise(List.of("grep", "^SigBlk", "/proc/self/status"), Duration.ofSeconds(1));
        assertThat(Followed.awaitCheckFails(probe.restartAndFollow())).hasMessageEndingWith("last output: SigBlk:\t0000000000000000");

        Path ready = trapReady();
        app = SuperviseRestart.prepare("web1", new SuperviseSpec(List.of("sh", "-c",
                "trap 'exit 0' QUIT; touch \"$0\"; while :; do sleep 0.05; done", ready.toString()), null, Map.of(),
                null, Signal.QUIT, Duration.ofSeconds(10)), new CommandRunner());
        long pid = app.start();
        Eventually.await("the app set its trap", Duration.ofSeconds(5), () -> Files.exists(ready));
        long t0 = System.nanoTime();
        app.stop();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms to stop on QUIT, before KILL")
                .isLessThan(5_000);
        assertThat(Libc.isAlive(pid)).isFalse();
    }

    @Test
    @DisplayName("a restarted app that exits before it is ready is reported with its exit code and last output")
    void exitBeforeReady() throws Exception {
        app = supervise(List.of("sh", "-c", "echo loading; echo 'boom: no database' >&2; exit 3"), Duration.ofSeconds(5));
        Restarted followed = app.restartAndFollow();

        RestartException failure = Followed.awaitCheckFails(followed);
        assertThat(failure.getMessage())
                .matches("web1 \\(pid \\d+\\) exited with code 3 before it was ready; last output: "
                        + "(loading \\| boom: no database|boom: no database \\| loading)");
    }

    @Test
    @DisplayName("the app gets its directory and environment")
    void directoryAndEnvironment(@TempDir Path dir) throws Exception {
        app = SuperviseRestart.prepare("web1", new SuperviseSpec(List.of("sh", "-c", "echo \"$GREETING from $PWD\""),
                dir, Map.of("GREETING", "hello"), null, Signal.TERM, Duration.ofSeconds(5)), new CommandRunner());
        Restarted followed = app.restartAndFollow();

        assertThat(Followed.awaitCheckFails(followed)).hasMessageEndingWith("last output: hello from " + dir.toRealPath());
    }

    @Test
    @DisplayName("an exit nobody asked for is told to the listener; a stop is not")
    void unexpectedExit() throws Exception {
        app = supervise(List.of("sleep", "30"), Duration.ofSeconds(5));
        CompletableFuture<String> told = new CompletableFuture<>();
        app.onUnexpectedExit(told::complete);

        long pid = app.start();
        Libc.kill(pid, Signal.KILL);

        assertThat(told.get(5, TimeUnit.SECONDS)).isEqualTo("web1 (pid " + pid + ") was killed by SIGKILL unexpectedly");
        assertThatThrownBy(app::checkRunning).hasMessageStartingWith("web1 is not running: web1 (pid " + pid
                + ") was killed by SIGKILL");

        CompletableFuture<String> again = new CompletableFuture<>();
        app.onUnexpectedExit(again::complete);
        app.start();
        app.stop();
        assertThatThrownBy(() -> again.get(300, TimeUnit.MILLISECONDS))
                .as("no report for a stop healthgate asked for, within 300 ms")
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
    }

    @Test
    @DisplayName("a missing directory or user is refused before anything starts")
    void refusesWhatCannotWork(@TempDir Path dir) {
        assertThatThrownBy(() -> SuperviseRestart.prepare("web1", new SuperviseSpec(List.of("true"),
                dir.resolve("missing"), Map.of(), null, Signal.TERM, Duration.ofSeconds(1)), new CommandRunner()))
                .hasMessage("cannot start web1: its directory " + dir.resolve("missing") + " does not exist");
        assertThatThrownBy(() -> SuperviseRestart.prepare("web1", new SuperviseSpec(List.of("true"), null, Map.of(),
                "no-such-user-hg", Signal.TERM, Duration.ofSeconds(1)), new CommandRunner()))
                .hasMessageStartingWith("cannot run web1 as user no-such-user-hg: no such user");
    }

    @Test
    @DisplayName("as root, another user is switched to through setpriv, which also ties the app's life to healthgate's")
    void runsAsAnotherUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Libc.effectiveUid() == 0, "needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(LaunchCommand.onPath("setpriv").isPresent(), "needs setpriv");
        SuperviseSpec spec = new SuperviseSpec(List.of("id", "-u"), null, Map.of(), "nobody", Signal.TERM,
                Duration.ofSeconds(1));
        List<String> launch = LaunchCommand.build("web1", spec, new CommandRunner());
        assertThat(launch).contains("--reuid=65534", "--init-groups", "--pdeathsig", "TERM", "--")
                .endsWith("id", "-u");

        app = SuperviseRestart.prepare("web1", spec, new CommandRunner());
        assertThat(Followed.awaitCheckFails(app.restartAndFollow())).hasMessageEndingWith("last output: 65534");
    }

    @TempDir
    Path tmp;

    /** A file a test app touches once its signal trap is set. */
    private Path trapReady() {
        return tmp.resolve("trap-set-" + System.nanoTime());
    }

    private static SuperviseRestart supervise(List<String> command, Duration stopTimeout) throws RestartException {
        return SuperviseRestart.prepare("web1", new SuperviseSpec(command, null, Map.of(), null, Signal.TERM,
                stopTimeout), new CommandRunner());
    }

}
