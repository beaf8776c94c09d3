package dev.healthgate.it;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The built healthgate, used the way an operator uses it: {@code scripts/healthgate run} as a daemon,
 * {@code scripts/healthgate ...} client commands, and the HTTP API through curl.
 */
public final class Healthgate implements AutoCloseable {
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);

    private final TestDirs dirs;
    private final Path config;
    private final String apiBase;
    private ManagedProcess daemon;
    /** Where the daemon's log is read from: its output, or (started by systemd) the unit's journal. */
    private Supplier<String> logTail = () -> daemon == null ? "(not started)" : daemon.logTail(20);

    /** A healthgate for the scenario of {@code dirs}: writes {@code config} as healthgate.yml. */
    public Healthgate(TestDirs dirs, HealthgateConfig config) {
        this.dirs = dirs;
        this.config = config.writeTo(dirs.scenario().resolve("healthgate.yml"));
        this.apiBase = config.apiBase();
    }

    public Path config() {
        return config;
    }

    /** Renders the HAProxy config with {@code healthgate haproxy-config} and checks it with {@code haproxy -c}. */
    public Path renderHaproxyConfig() {
        Path out = dirs.scenario().resolve("haproxy.cfg");
        CommandResult r = cli(Duration.ofSeconds(60), "haproxy-config", "--config", config.toString(),
                "--output", out.toString());
        if (r.exitCode() != 0) {
            throw new AssertionError("healthgate haproxy-config failed: " + r.describe());
        }
        Haproxy.check(out, dirs.logs());
        return out;
    }

    /**
     * Renders the HAProxy config of load balancer {@code node} ({@code healthgate haproxy-config --node
     * NODE}) as {@code haproxy-NODE.cfg}, and checks it with {@code haproxy -c}.
     */
    public Path renderHaproxyConfig(String node) {
        Path out = dirs.scenario().resolve("haproxy-" + node + ".cfg");
        CommandResult r = cli(Duration.ofSeconds(60), "haproxy-config", "--config", config.toString(),
                "--node", node, "--output", out.toString());
        if (r.exitCode() != 0) {
            throw new AssertionError("healthgate haproxy-config --node " + node + " failed: " + r.describe());
        }
        Haproxy.check(out, dirs.logs());
        return out;
    }

    /** Starts {@code healthgate run --config healthgate.yml} and waits until {@code GET /v1/apps} answers 200. */
    public Healthgate start() {
        return start(List.of());
    }

    /**
     * Like {@link #start()}, with the daemon running as {@code user}:{@code group} instead of root
     * ({@code setpriv} drops the ids before the launcher runs, so the JVM never runs as root).
     */
    public Healthgate startAs(String user, String group) {
        return start(List.of("setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups", "--"));
    }

    /**
     * Like {@link #startAs}, with CAP_NET_ADMIN as {@code scripts/systemd/healthgate-nat-nonroot.service}
     * grants it: ambient (so the iptables processes healthgate runs inherit it), the only capability in
     * the bounding set, no new privileges, and iptables' lock at {@code xtablesLock} (XTABLES_LOCKFILE).
     */
    public Healthgate startAsWithNetAdmin(String user, String group, Path xtablesLock) {
        return start(List.of("setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups",
                "--inh-caps=+net_admin", "--ambient-caps=+net_admin", "--bounding-set=-all,+net_admin",
                "--no-new-privs", "--", "env", "XTABLES_LOCKFILE=" + xtablesLock));
    }

    private Healthgate start(List<String> prefix) {
        ItEnv.requireJar();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ItEnv.healthgateLauncher().toString(), "run", "--config", config.toString()));
        daemon = ManagedProcess.start("healthgate", command, dirs.log("healthgate.log"));
        Await.until("healthgate's GET /v1/apps to answer 200", Duration.ofSeconds(60), () -> {
            if (!daemon.isAlive()) {
                throw new AssertionError("healthgate exited with " + daemon.exitCode() + ":\n" + daemon.logTail(40));
            }
            return get("/v1/apps").status() == 200;
        }, () -> daemon.logTail(40));
        return this;
    }

    /**
     * Waits until every app is IN_ROTATION and no cycle runs: healthgate starts with its gates
     * closed and restores each app that is ready, which takes HAProxy's rise x inter.
     */
    public Healthgate awaitAllInRotation() {
        Await.until("every app IN_ROTATION and not busy", Duration.ofSeconds(60), () -> {
            HttpResult r = get("/v1/apps");
            return r.status() == 200 && r.json().getJsonArray("apps").stream()
                    .map(JsonObject.class::cast)
                    .allMatch(app -> "IN_ROTATION".equals(app.getString("state")) && !app.getBoolean("busy", true));
        }, () -> get("/v1/apps") + "\nhealthgate log tail:\n" + logTail.get());
        return this;
    }

    /**
     * For a daemon this test does not start (systemd does): {@code starter} starts it, {@code logTail} reads
     * its log for failure messages; {@link #daemon()} stays null and {@link #close()} leaves it to its starter.
     */
    public Healthgate startedBy(Runnable starter, Supplier<String> logTail) {
        this.logTail = logTail;
        starter.run();
        return this;
    }

    public ManagedProcess daemon() {
        return daemon;
    }

    /**
     * Kills the daemon with SIGKILL, as the OOM killer or a crash would: no shutdown hook runs, nothing is
     * cleaned up. Waits (bounded) until it is gone; {@link #start()} starts it again.
     */
    public void killDaemon() {
        ProcessHandle.of(daemon.pid()).ifPresent(ProcessHandle::destroyForcibly);
        int code = daemon.waitForExit(Duration.ofSeconds(10));
        if (code != 128 + 9) {
            throw new AssertionError("healthgate was to die of SIGKILL (exit 137), but exited with " + code);
        }
    }

    /** Runs {@code scripts/healthgate ARGS} to completion. */
    public CommandResult cli(Duration timeout, String... args) {
        return run(timeout, List.of(args));
    }

    /** Runs a client command against this scenario's daemon: {@code scripts/healthgate ARGS --config healthgate.yml}. */
    public CommandResult client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--config");
        all.add(config.toString());
        return run(CLI_TIMEOUT, all);
    }

    /** Starts a client command against this scenario's daemon in the background (see {@link #client}). */
    public ManagedProcess clientInBackground(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ItEnv.healthgateLauncher().toString());
        command.addAll(List.of(args));
        command.add("--config");
        command.add(config.toString());
        return ManagedProcess.start("healthgate " + String.join(" ", args), command,
                dirs.log("healthgate-" + String.join("-", args) + ".log"));
    }

    /** Runs {@code scripts/healthgate ARGS} (any healthgate, e.g. {@code run} with a bad config). */
    public static CommandResult run(Path logDir, Duration timeout, List<String> args) {
        ItEnv.requireJar();
        List<String> command = new ArrayList<>();
        command.add(ItEnv.healthgateLauncher().toString());
        command.addAll(args);
        return Command.of(command).timeout(timeout).logTo(logDir, "healthgate-" + args.get(0)).run();
    }

    private CommandResult run(Duration timeout, List<String> args) {
        return run(dirs.logs(), timeout, args);
    }

    public String apiBase() {
        return apiBase;
    }

    public HttpResult get(String path) {
        return Curl.get(apiBase + path, Duration.ofSeconds(10));
    }

    /** {@code curl -X POST}, as a deploy hook would; waits as long as a restart may take. */
    public HttpResult post(String path) {
        return Curl.post(apiBase + path, CLI_TIMEOUT);
    }

    /** {@code GET /v1/apps/NAME}'s {@code state}. */
    public String state(String app) {
        HttpResult r = get("/v1/apps/" + app);
        if (r.status() != 200) {
            throw new AssertionError("GET /v1/apps/" + app + " answered " + r);
        }
        return r.json().getString("state");
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(10));
        }
    }
}
