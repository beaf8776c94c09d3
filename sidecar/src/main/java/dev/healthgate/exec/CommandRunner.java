package dev.healthgate.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external programs from an argument list, never through a shell, with a bound on their run time
 * and their output captured. Blocking: call it from a worker thread, never from an event loop.
 *
 * <p>Output goes to temporary files, not pipes: a restart command that leaves a daemon behind (which
 * inherits the command's stdout) must not make healthgate wait for that daemon to exit.
 */
public final class CommandRunner {

    private static final int MAX_CAPTURE = 16 * 1024;

    /** Runs a command and returns its result whatever its exit code. */
    public CommandResult run(List<String> command, Duration timeout) throws CommandException {
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("healthgate-cmd", ".out");
            err = Files.createTempFile("healthgate-cmd", ".err");
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new CommandException(command, -1,
                        show(command) + " did not finish within " + timeout.toMillis() + " ms and was killed");
            }
            return new CommandResult(process.exitValue(), head(out), head(err));
        } catch (IOException e) {
            throw new CommandException(command, -1, "cannot run " + show(command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            // the caller gave up (healthgate is stopping): the command must not go on behind its back
            kill(process);
            Thread.currentThread().interrupt();
            throw new CommandException(command, -1, show(command) + " was interrupted and killed");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs a command and fails unless it exits 0; the error carries what it printed on stderr. */
    public CommandResult check(List<String> command, Duration timeout) throws CommandException {
        CommandResult result = run(command, timeout);
        if (result.exitCode() != 0) {
            String why = result.stderr().isBlank() ? result.stdout().strip() : result.stderr().strip();
            throw new CommandException(command, result.exitCode(),
                    show(command) + " exited with " + result.exitCode() + (why.isEmpty() ? "" : ": " + why));
        }
        return result;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The command as an operator would read it in an error message. */
    public static String show(List<String> command) {
        return String.join(" ", command);
    }

    private static String head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_CAPTURE), StandardCharsets.UTF_8);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }
}
