package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a short-lived external program to completion: an argument list (no shell), a bounded wait
 * (the process tree is killed and the test fails when it is exceeded), stdout and stderr kept
 * apart and also written to the test's log directory.
 */
public final class Command {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final List<String> args;
    private Duration timeout = Duration.ofSeconds(30);
    private Path logDir;
    private String label;
    private Path directory;
    private final Map<String, String> env = new TreeMap<>();

    private Command(List<String> args) {
        this.args = List.copyOf(args);
    }

    /** A command from its argument list. */
    public static Command of(List<String> args) {
        return new Command(args);
    }

    /** A command from its arguments. */
    public static Command of(String... args) {
        return new Command(List.of(args));
    }

    /** The longest the command may take; past it the test fails (30 s unless told). */
    public Command timeout(Duration value) {
        this.timeout = value;
        return this;
    }

    /** Keeps the command's output in {@code dir} as {@code NNN-label.out/.err}. */
    public Command logTo(Path dir, String label) {
        this.logDir = dir;
        this.label = label.replaceAll("[^A-Za-z0-9_.-]+", "-");
        return this;
    }

    /** Runs the command in {@code dir} (this JVM's working directory unless told). */
    public Command directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Adds an environment variable for the command. */
    public Command env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the command and waits for it (bounded). A non-zero exit code is a result, not an error. */
    public CommandResult run() {
        try {
            Path dir = logDir != null ? logDir : Files.createDirectories(ItEnv.buildDir().resolve("it-logs/_commands"));
            String base = String.format("%03d-%s", SEQUENCE.incrementAndGet(),
                    label != null ? label : Path.of(args.get(0)).getFileName().toString());
            Path out = dir.resolve(base + ".out");
            Path err = dir.resolve(base + ".err");
            ProcessBuilder builder = new ProcessBuilder(args)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(env);
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessTree.kill(process.toHandle(), Duration.ofSeconds(2));
                throw new AssertionError(String.join(" ", args) + " did not finish within "
                        + timeout.toMillis() + " ms; output so far:\n" + read(out) + read(err));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            Files.writeString(dir.resolve(base + ".cmd"), String.join(" ", args) + "\nexit " + process.exitValue() + "\n");
            return new CommandResult(args, process.exitValue(), read(out), read(err), took);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + args, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + args, e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
