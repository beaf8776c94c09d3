package dev.healthgate.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts and stops instances of {@code scripts/examples/demo_app.py} through {@code demo-appctl},
 * the tiny systemctl that healthgate's {@code restart.exec} also calls. Pid files and the apps' own
 * logs are kept in one directory of the scenario.
 */
public final class DemoApps implements AutoCloseable {
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(45);

    private final Path dir;
    private final Path logDir;
    private final Map<String, Integer> started = new LinkedHashMap<>();

    public DemoApps(Path dir, Path logDir) {
        this.dir = dir;
        this.logDir = logDir;
    }

    /** The directory given to demo-appctl as {@code --dir} (pid files, the apps' logs). */
    public Path dir() {
        return dir;
    }

    /** Starts {@code name} on {@code port} and waits until it answers {@code GET /health}. */
    public void start(String name, int port) {
        CommandResult r = ctl("start", name, port, Duration.ZERO);
        if (r.exitCode() != 0) {
            throw new AssertionError("demo-appctl start " + name + " failed: " + r.describe());
        }
        started.put(name, port);
        Await.until(name + " to answer GET /health on port " + port, Duration.ofSeconds(15),
                () -> Curl.get("http://127.0.0.1:" + port + "/health", Duration.ofSeconds(2)).status() == 200);
    }

    /** Stops {@code name} (SIGTERM, bounded by demo-appctl). */
    public void stop(String name) {
        CommandResult r = Command.of(ItEnv.demoAppCtl().toString(), "stop", "--name", name, "--dir", dir.toString())
                .timeout(CTL_TIMEOUT).logTo(logDir, "demo-appctl-stop-" + name).run();
        if (r.exitCode() != 0) {
            throw new AssertionError("demo-appctl stop " + name + " failed: " + r.describe());
        }
    }

    /** Whether demo-appctl reports {@code name} as running. */
    public boolean isRunning(String name) {
        return Command.of(ItEnv.demoAppCtl().toString(), "status", "--name", name, "--dir", dir.toString())
                .timeout(CTL_TIMEOUT).logTo(logDir, "demo-appctl-status-" + name).run().exitCode() == 0;
    }

    /** The {@code restart.exec} a healthgate config uses to restart {@code name} like systemctl would. */
    public List<String> restartCommand(String name, int port, Duration bootDelay) {
        return ctlArgs("restart", name, port, bootDelay);
    }

    /** A {@code restart.exec} that only stops {@code name}: the app never comes back. */
    public List<String> stopOnlyCommand(String name) {
        return List.of(ItEnv.demoAppCtl().toString(), "stop", "--name", name, "--dir", dir.toString());
    }

    /** The app's own log (demo-appctl keeps it as DIR/NAME.log). */
    public Path appLog(String name) {
        return dir.resolve(name + ".log");
    }

    /** Stops every instance this object started. */
    @Override
    public void close() {
        List<AssertionError> errors = new ArrayList<>();
        for (String name : started.keySet()) {
            try {
                stop(name);
            } catch (AssertionError e) {
                errors.add(e);
            }
        }
        started.clear();
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    private CommandResult ctl(String verb, String name, int port, Duration bootDelay) {
        return Command.of(ctlArgs(verb, name, port, bootDelay)).timeout(CTL_TIMEOUT)
                .logTo(logDir, "demo-appctl-" + verb + "-" + name).run();
    }

    private List<String> ctlArgs(String verb, String name, int port, Duration bootDelay) {
        List<String> args = new ArrayList<>(List.of(ItEnv.demoAppCtl().toString(), verb, "--name", name,
                "--port", Integer.toString(port), "--dir", dir.toString()));
        if (!bootDelay.isZero()) {
            args.add("--boot-delay");
            args.add(seconds(bootDelay));
        }
        return args;
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }
}
