package dev.healthgate.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.Eventually;
import dev.healthgate.config.SignalSpec;
import dev.healthgate.os.Libc;
import dev.healthgate.os.PidFile;
import dev.healthgate.os.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signal strategy against small shell "apps" that write a pid file and trap signals the way Unicorn
 * and Puma do.
 */
class SignalRestartTest {

    /** Sets its traps, then writes its pid; on USR2 starts a "new master" (STARTS) and writes its pid; exits 0 on QUIT. */
    private static final String UNICORN = """
            trap 'STARTS & echo $! > "$1"' USR2
            trap 'exit 0' QUIT
            echo $$ > "$1"
            while :; do sleep 0.05; done
            """;

    @TempDir
    Path dir;

    private final List<Process> apps = new ArrayList<>();

    @AfterEach
    void killApps() {
        for (Process p : apps) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    @DisplayName("USR2, a new pid in the pid file, and once ready QUIT to the old one, which exits")
    void unicornRestart() throws Exception {
        long old = startApp(UNICORN.replace("STARTS", "sleep 30"));
        SignalRestart restart = strategy(Signal.USR2, true, Signal.QUIT, Duration.ofSeconds(5));

        Restarted followed = restart.restartAndFollow();
        long fresh = new PidFile(pidFile()).read().orElseThrow();

        assertThat(fresh).as("the new pid").isNotEqualTo(old);
        assertThat(followed.note()).isEqualTo("sent USR2 to pid " + old + ", new pid " + fresh);
        followed.checkAlive();
        assertThat(followed.handsOver()).as("readiness is checked again once the old master is gone").isTrue();
        assertThat(followed.onReady()).startsWith("sent QUIT to old pid " + old + "; it exited after ");
        assertThat(Libc.isAlive(old)).as("old master alive after QUIT").isFalse();
        assertThat(Libc.isAlive(fresh)).as("new master alive").isTrue();
    }

    /**
     * Gunicorn's USR2: the new master writes {@code <pidfile>.2}; once its parent (the old master) is gone,
     * it renames that file to the pid file. The old master removes the pid file on TERM, as Gunicorn does.
     */
    private static final String GUNICORN_NEW_MASTER = """
            echo $$ > "$1.2"
            while kill -0 "$2" 2>/dev/null; do sleep 0.05; done
            sleep 0.3
            mv "$1.2" "$1"
            while :; do sleep 0.05; done
            """;

    @Test
    @DisplayName("Gunicorn style: the new pid appears in new-pidfile, and the restart ends when the pid file names it")
    void gunicornRestart() throws Exception {
        Path newMaster = dir.resolve("new-master.sh");
        Files.writeString(newMaster, GUNICORN_NEW_MASTER);
        long old = startApp("trap 'sh " + newMaster + " \"$1\" $$ &' USR2; trap 'rm -f \"$1\"; exit 0' TERM;"
                + " echo $$ > \"$1\"; while :; do sleep 0.05; done");
        Path dotTwo = Path.of(pidFile() + ".2");
        SignalRestart restart = new SignalRestart("web1",
                new SignalSpec(pidFile(), Signal.USR2, true, Signal.TERM, dotTwo), Duration.ofSeconds(5));

        Restarted followed = restart.restartAndFollow();
        long fresh = new PidFile(dotTwo).read().orElseThrow();
        assertThat(fresh).as("the new pid").isNotEqualTo(old);
        assertThat(new PidFile(pidFile()).read()).as("the pid file while both run").hasValue(old);
        assertThat(followed.note()).isEqualTo("sent USR2 to pid " + old + ", new pid " + fresh);
        followed.checkAlive();

        assertThat(followed.onReady()).startsWith("sent TERM to old pid " + old + "; it exited after ")
                .endsWith("; " + pidFile() + " names pid " + fresh);
        assertThat(new PidFile(pidFile()).read()).as("the pid file after the hand-over").hasValue(fresh);
        assertThat(restart.describe()).isEqualTo("signal USR2 to the pid in " + pidFile() + ", expecting a new pid in "
                + dotTwo + ", then TERM to the old pid");
    }

    @Test
    @DisplayName("a pid that never changes fails the restart with the pid file named")
    void pidNeverChanges() throws Exception {
        long old = startApp(UNICORN.replace("trap 'STARTS & echo $! > \"$1\"' USR2", "trap '' USR2"));
        SignalRestart restart = strategy(Signal.USR2, true, Signal.QUIT, Duration.ofMillis(500));

        assertThatThrownBy(restart::restartAndFollow)
                .isInstanceOf(RestartException.class)
                .hasMessage("the pid in " + pidFile() + " did not change within 500 ms after USR2 to pid " + old
                        + " (" + pidFile() + " holds " + old + "): web1 did not restart; the old process (pid "
                        + old + ") is still running");
    }

    @Test
    @DisplayName("a new process that exits before it is ready ends the wait, and the old one is left running")
    void newProcessExits() throws Exception {
        long old = startApp(UNICORN.replace("STARTS", "(sleep 0.3; exit 1)"));
        SignalRestart restart = strategy(Signal.USR2, true, Signal.QUIT, Duration.ofSeconds(5));

        Restarted followed = restart.restartAndFollow();
        long fresh = new PidFile(pidFile()).read().orElseThrow();

        RestartException failure = Followed.awaitCheckFails(followed);
        assertThat(failure).hasMessage("the new process of web1 (pid " + fresh + ") exited before it was ready;"
                + " the old process (pid " + old + ") is still running");
        assertThat(Libc.isAlive(old)).isTrue();
    }

    @Test
    @DisplayName("Puma style: the same pid carries on, and its death ends the wait")
    void samePidCarriesOn() throws Exception {
        long pid = startApp("trap 'echo phased' USR1; echo $$ > \"$1\"; while :; do sleep 0.05; done");
        SignalRestart restart = strategy(Signal.USR1, false, null, Duration.ofSeconds(5));

        Restarted followed = restart.restartAndFollow();
        assertThat(followed.note()).isEqualTo("sent USR1 to pid " + pid);
        followed.checkAlive();
        followed.onReady(); // its only children, the 0.05 s sleeps, are soon gone

        Libc.kill(pid, Signal.KILL);
        assertThat(Followed.awaitCheckFails(followed)).hasMessage("web1 (pid " + pid + ") exited after USR1 before it was ready");
    }

    @Test
    @DisplayName("Puma/Gunicorn HUP style: the pid stays, and the restart ends once the old workers are gone")
    void samePidNewWorkers() throws Exception {
        // a "master" with one "worker"; USR1 starts a new worker and stops the old one a little later
        long pid = startApp("sleep 30 & w=$!; trap 'sleep 30 & (sleep 0.4; kill $w) &' USR1; echo $$ > \"$1\";"
                + " while :; do sleep 0.05; done");
        long worker = ProcessHandle.of(pid).orElseThrow().children().filter(c -> c.info().command().orElse("").endsWith("sleep")
                && c.info().arguments().map(a -> a.length == 1 && a[0].equals("30")).orElse(false))
                .findFirst().orElseThrow().pid();
        SignalRestart restart = strategy(Signal.USR1, false, null, Duration.ofSeconds(5));

        Restarted followed = restart.restartAndFollow();
        assertThat(followed.handsOver()).as("readiness is checked again once the old workers are gone").isTrue();
        String note = followed.onReady();
        assertThat(note).startsWith("old workers [").contains(Long.toString(worker)).contains("] gone after ");
        assertThat(Libc.isAlive(worker)).as("old worker alive").isFalse();
        assertThat(Libc.isAlive(pid)).as("master alive").isTrue();
    }

    @Test
    @DisplayName("no pid file, or a pid that is not running, is reported before any signal")
    void nothingToSignal() throws Exception {
        SignalRestart restart = strategy(Signal.USR2, true, null, Duration.ofSeconds(1));
        assertThatThrownBy(restart::restartAndFollow)
                .hasMessage("cannot restart web1: pid file " + pidFile() + " does not exist (is the app running?)");

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(5, TimeUnit.SECONDS);
        Files.writeString(pidFile(), gone.pid() + "\n");
        assertThatThrownBy(restart::restartAndFollow)
                .hasMessage("cannot restart web1: pid file " + pidFile() + " holds " + gone.pid()
                        + ", which is not running");
    }

    private SignalRestart strategy(Signal signal, boolean newPid, Signal thenOld, Duration timeout) {
        return new SignalRestart("web1", new SignalSpec(pidFile(), signal, newPid, thenOld), timeout);
    }

    private Path pidFile() {
        return dir.resolve("web1.pid");
    }

    /** Starts a shell app with the pid file as $1 and waits until it wrote its pid (after its traps). */
    private long startApp(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script, "sh", pidFile().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        apps.add(p);
        Eventually.await("the app wrote its pid file", Duration.ofSeconds(5), () -> new PidFile(pidFile()).read().isPresent());
        return p.pid();
    }

}
