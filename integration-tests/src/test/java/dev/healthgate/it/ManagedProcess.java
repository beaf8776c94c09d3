package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running external process of a test (HAProxy, the healthgate daemon, a background curl):
 * started from an argument list, its stdout and stderr written to one log file, stopped with SIGTERM
 * and killed after a bound.
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final List<String> command;
    private final Path logFile;
    private final Process process;

    private ManagedProcess(String name, List<String> command, Path logFile, Process process) {
        this.name = name;
        this.command = command;
        this.logFile = logFile;
        this.process = process;
    }

    /** Starts {@code command}; its stdout and stderr go (appended) to {@code logFile}. */
    public static ManagedProcess start(String name, List<String> command, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            // one header line: arguments may hold newlines (curl -w)
            Files.writeString(logFile, "### " + String.join(" ", command).replace("\n", "\\n") + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            return new ManagedProcess(name, List.copyOf(command), logFile, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has exited. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Everything the process wrote so far. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Waits until the log has a line matching {@code regex} and returns the match. Fails at once if
     * the process exits first without having written it.
     */
    public Matcher waitForLog(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        return Await.value(name + " to log /" + regex + "/", timeout, () -> {
            boolean exited = !process.isAlive();
            Matcher m = pattern.matcher(log());
            if (m.find()) {
                return Optional.of(m);
            }
            if (exited) {
                throw new AssertionError(name + " exited with code " + process.exitValue()
                        + " before logging /" + regex + "/; log tail:\n" + logTail(30));
            }
            return Optional.empty();
        }, () -> "log tail of " + name + ":\n" + logTail(30));
    }

    /** Waits (bounded) for the process to exit on its own and returns its exit code. */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout.toMillis()
                        + " ms; log tail:\n" + logTail(30));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /**
     * Stops the process and what it started: SIGTERM, then SIGKILL after {@code grace}.
     *
     * @return the exit code (128+n for a signal)
     */
    public int stop(Duration grace) {
        if (process.isAlive()) {
            ProcessTree.stop(process.toHandle(), grace);
        }
        return waitForExit(Duration.ofSeconds(5));
    }

    /** Stops the process with the default grace (10 s); a no-op once it exited. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ": " + String.join(" ", command) + ")";
    }
}
