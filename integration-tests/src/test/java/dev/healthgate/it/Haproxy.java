package dev.healthgate.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real HAProxy for one scenario: its config checked with {@code haproxy -c}, run in the foreground. */
public final class Haproxy implements AutoCloseable {
    private final ManagedProcess process;

    private Haproxy(ManagedProcess process) {
        this.process = process;
    }

    /** Runs {@code haproxy -c -f config} and fails with HAProxy's output unless the config is valid. */
    public static CommandResult check(Path config, Path logDir) {
        CommandResult r = Command.of("haproxy", "-c", "-f", config.toString())
                .timeout(Duration.ofSeconds(20)).logTo(logDir, "haproxy-check").run();
        if (r.exitCode() != 0) {
            throw new AssertionError("haproxy -c rejected " + config + ": " + r.describe());
        }
        return r;
    }

    /**
     * Checks {@code config}, starts {@code haproxy -db -f config} and waits until the frontend
     * accepts connections on {@code 127.0.0.1:frontendPort}.
     */
    public static Haproxy start(Path config, int frontendPort, Path logDir) {
        return start("haproxy", config, frontendPort, logDir);
    }

    /**
     * Like {@link #start(Path, int, Path)} for one of several load balancers: {@code name} names the
     * process and its log file ({@code NAME.log}).
     */
    public static Haproxy start(String name, Path config, int frontendPort, Path logDir) {
        check(config, logDir);
        ManagedProcess p = ManagedProcess.start(name,
                List.of("haproxy", "-db", "-f", config.toString()), logDir.resolve(name + ".log"));
        Haproxy haproxy = new Haproxy(p);
        Await.until("HAProxy's frontend to accept on port " + frontendPort, Duration.ofSeconds(15), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("haproxy exited with " + p.exitCode() + ":\n" + p.logTail(30));
            }
            return Ports.accepts("127.0.0.1", frontendPort);
        }, () -> p.logTail(30));
        return haproxy;
    }

    public ManagedProcess process() {
        return process;
    }

    /** What HAProxy logged (server state changes, and the requests if the config logs them). */
    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }
}
