package dev.healthgate.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CommandRunner")
class CommandRunnerTest {

    @Test
    @DisplayName("kills the command when the thread waiting on it is interrupted, instead of leaving it running")
    void killsCommandWhenInterrupted(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                new CommandRunner().run(List.of("sh", "-c", "echo $$ > " + pidFile + "; exec sleep 60"),
                        Duration.ofSeconds(60));
            } catch (CommandException e) {
                failure.set(e);
            }
        });
        waiter.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(pidFile) && Files.size(pidFile) > 0) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle command = ProcessHandle.of(pid).orElseThrow();

        waiter.interrupt();
        waiter.join(10_000);

        assertThat(failure.get()).as("the interrupted run's error").isInstanceOf(CommandException.class)
                .hasMessageContaining("interrupted and killed");
        assertThat(command.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS).isAlive())
                .as("the command (pid %d) after its caller was interrupted", pid).isFalse();
    }

    @Test
    @DisplayName("kills a command that outlives its timeout and says so")
    void killsCommandPastItsTimeout() {
        long t0 = System.nanoTime();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() ->
                new CommandRunner().run(List.of("sleep", "30"), Duration.ofMillis(200)));
        assertThat(thrown).isInstanceOf(CommandException.class).hasMessageContaining("did not finish within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
}
