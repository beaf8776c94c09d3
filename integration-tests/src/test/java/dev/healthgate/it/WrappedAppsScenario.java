package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scenario of the wrapped-app ITs: the example apps of {@code scripts/examples/} behind a real
 * HAProxy on 127.0.0.1:8080 (rendered by healthgate, nat gate), healthgate's API on 127.0.0.1:9901.
 * App {@code webN} listens on 800N with status ports 900N and 910N. Supervised apps are started by
 * healthgate itself; apps restarted by signal or exec are started by the test, with a pid file.
 * A fault file per app lets a test break the next boot ({@code crash-on-boot}, {@code never-ready},
 * {@code ignore-restart}; see {@code scripts/examples/appkit.py}).
 */
public final class WrappedAppsScenario implements AutoCloseable {
    public static final int FRONTEND_PORT = 8080;
    public static final Duration BOOT_DELAY = Duration.ofSeconds(1);
    private static final Pattern STARTED = Pattern.compile("SuperviseRestart - (\\S+): started pid (\\d+)");

    private final TestDirs dirs;
    private final Path appDir;
    private final List<HealthgateConfig.App> apps = new ArrayList<>();
    private final Map<String, List<String>> ownCommands = new LinkedHashMap<>();
    private final Map<String, ManagedProcess> ownProcesses = new LinkedHashMap<>();
    private Healthgate healthgate;
    private Haproxy haproxy;
    private Path haproxyConfig;
    private LoadGenerator load;
    private List<String> runAs = List.of();
    private boolean netAdmin;
    private Consumer<Healthgate> starter;
    private Supplier<String> starterLog;

    public WrappedAppsScenario(TestDirs dirs) {
        this.dirs = dirs;
        this.appDir = dirs.scenario().resolve("apps");
        try {
            Files.createDirectories(appDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** web1 .. web{@code count}, each supervised ({@link #supervised}), started: the fixture of a host's roll. */
    public static WrappedAppsScenario startSupervised(TestDirs dirs, int count) {
        WrappedAppsScenario scenario = new WrappedAppsScenario(dirs);
        for (int n = 1; n <= count; n++) {
            scenario.supervised(n);
        }
        try {
            return scenario.start();
        } catch (RuntimeException | Error e) {
            // the caller never gets the scenario to close: a HAProxy left on port 8080 (SO_REUSEPORT) would
            // take a share of the next test's requests in this JVM's namespace
            try {
                scenario.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** {@code webN}: port 800N, status ports 900N and 910N. */
    private static HealthgateConfig.App app(int n) {
        return new HealthgateConfig.App("web" + n, 8000 + n, 9000 + n, 9100 + n)
                .readyTimeout(Duration.ofSeconds(15))
                .stickyGrace(Duration.ofSeconds(1))
                .drainTimeout(Duration.ofSeconds(15));
    }

    /** webN run by healthgate itself ({@code supervise}): plain_app.py, stopped with TERM. */
    public HealthgateConfig.App supervised(int n) {
        HealthgateConfig.App app = app(n);
        app.restartStrategy("supervise: { command: " + flow(plainApp(app.name(), app.port(), false))
                + ", env: { PYTHONUNBUFFERED: \"1\" }, stop-signal: TERM, stop-timeout: 20s }");
        apps.add(app);
        return app;
    }

    /**
     * webN run by healthgate itself ({@code supervise}, stopped with TERM): a real server (see
     * {@link RealServers}) with {@code env}, ready within {@code readyTimeout}; with {@code holdSocket}
     * healthgate holds its listening socket ({@code hold-socket}) and the port stays open across restarts.
     */
    public HealthgateConfig.App supervisedServer(int n, java.util.function.Function<HealthgateConfig.App, List<String>> command,
            Map<String, String> env, Duration readyTimeout, boolean holdSocket) {
        HealthgateConfig.App app = app(n).readyTimeout(readyTimeout);
        StringBuilder vars = new StringBuilder("{ ");
        env.forEach((k, v) -> vars.append(vars.length() > 2 ? ", " : "").append(k).append(": ").append(HealthgateConfig.quote(v)));
        app.restartStrategy("supervise: { command: " + flow(command.apply(app)) + ", env: " + vars.append(" }")
                + ", stop-signal: TERM, stop-timeout: 30s" + (holdSocket ? ", hold-socket: true" : "") + " }")
                .keepsPortOpen(holdSocket);
        apps.add(app);
        return app;
    }

    /** webN as unicorn_like.py, started by the test: USR2, a new pid, then QUIT to the old master. */
    public HealthgateConfig.App unicorn(int n) {
        HealthgateConfig.App app = app(n);
        ownCommands.put(app.name(), List.of("python3", example("unicorn_like.py"), "--name", app.name(), "--port",
                Integer.toString(app.port()), "--pidfile", pidFile(app.name()).toString(), "--boot-delay",
                seconds(BOOT_DELAY), "--fault-file", faultFile(app.name()).toString()));
        app.restartStrategy("signal: { pidfile: " + HealthgateConfig.quote(pidFile(app.name()).toString())
                        + ", signal: USR2, new-pid: true, then-old: QUIT }")
                .keepsPortOpen(true)
                .restartTimeout(Duration.ofSeconds(10));
        apps.add(app);
        return app;
    }

    /** webN as puma_like.py (two workers), started by the test: USR1 phased restart, the pid stays. */
    public HealthgateConfig.App puma(int n) {
        HealthgateConfig.App app = app(n);
        ownCommands.put(app.name(), List.of("python3", example("puma_like.py"), "--name", app.name(), "--port",
                Integer.toString(app.port()), "--pidfile", pidFile(app.name()).toString(), "--workers", "2",
                "--boot-delay", seconds(BOOT_DELAY), "--fault-file", faultFile(app.name()).toString()));
        app.restartStrategy("signal: { pidfile: " + HealthgateConfig.quote(pidFile(app.name()).toString())
                        + ", signal: USR1, new-pid: false }")
                .keepsPortOpen(true)
                .restartTimeout(Duration.ofSeconds(10));
        apps.add(app);
        return app;
    }

    /**
     * webN as a real server started by the test (see {@link RealServers}): the command for the app is run
     * as is (it writes {@link #pidFile}); {@code signal} is the app's {@code restart.signal} mapping. The
     * port stays open across the restart.
     */
    public HealthgateConfig.App server(int n, java.util.function.Function<HealthgateConfig.App, List<String>> command,
            String signal) {
        HealthgateConfig.App app = app(n);
        ownCommands.put(app.name(), command.apply(app));
        app.restartStrategy("signal: " + signal).keepsPortOpen(true).restartTimeout(Duration.ofSeconds(20));
        apps.add(app);
        return app;
    }

    /** webN as plain_app.py started by the test, restarted by {@code exec} of {@code command}. */
    public HealthgateConfig.App exec(int n, List<String> command) {
        HealthgateConfig.App app = app(n);
        List<String> run = new ArrayList<>(plainApp(app.name(), app.port(), true));
        ownCommands.put(app.name(), run);
        app.restartExec(command);
        apps.add(app);
        return app;
    }

    /**
     * Runs healthgate as {@code user}:{@code group} rather than as the test's root (see
     * {@link Healthgate#startAs}); the apps it supervises then run as that user too.
     */
    public WrappedAppsScenario runHealthgateAs(String user, String group) {
        this.runAs = List.of(user, group);
        return this;
    }

    /**
     * As {@link #runHealthgateAs}, with CAP_NET_ADMIN as the non-root nat unit grants it (see
     * {@link Healthgate#startAsWithNetAdmin}); iptables' lock lives in the state directory.
     */
    public WrappedAppsScenario runHealthgateWithNetAdminAs(String user, String group) {
        this.netAdmin = true;
        return runHealthgateAs(user, group);
    }

    /**
     * Has {@code starter} start healthgate (systemd does, in SystemdUnitIT) rather than this scenario, with
     * healthgate's default state-dir; {@code logTail} reads its log for failure messages.
     */
    public WrappedAppsScenario startHealthgateWith(Consumer<Healthgate> starter, Supplier<String> logTail) {
        this.starter = starter;
        this.starterLog = logTail;
        return this;
    }

    private List<String> plainApp(String name, int port, boolean pidFile) {
        List<String> cmd = new ArrayList<>(List.of("python3", example("plain_app.py"), "--name", name, "--port",
                Integer.toString(port), "--boot-delay", seconds(BOOT_DELAY), "--fault-file",
                faultFile(name).toString()));
        if (pidFile) {
            cmd.addAll(List.of("--pidfile", pidFile(name).toString()));
        }
        return cmd;
    }

    /**
     * Starts the test's own apps, healthgate (which starts the supervised ones and opens every gate
     * once ready) and HAProxy, and waits until every app serves through HAProxy.
     */
    public WrappedAppsScenario start() {
        NetNs.requireOwnNamespace();
        Iptables.removeHealthgateRules();
        ownCommands.forEach((name, cmd) ->
                ownProcesses.put(name, ManagedProcess.start(name, cmd, dirs.log(name + ".log"))));
        for (HealthgateConfig.App app : apps) {
            if (ownCommands.containsKey(app.name())) {
                awaitHealthy(app);
            }
        }
        HealthgateConfig config = new HealthgateConfig();
        apps.forEach(config::app);
        Path state = runAs.isEmpty() ? null : stateDirOwnedBy(runAs.get(0), runAs.get(1));
        if (state != null) {
            config.stateDir(state);
        } else if (starter != null) {
            config.defaultStateDir();
        }
        healthgate = new Healthgate(dirs, config);
        haproxyConfig = healthgate.renderHaproxyConfig();
        if (starter != null) {
            healthgate.startedBy(() -> starter.accept(healthgate), starterLog);
        } else if (state == null) {
            healthgate.start();
        } else if (netAdmin) {
            healthgate.startAsWithNetAdmin(runAs.get(0), runAs.get(1), state.resolve("xtables.lock"));
        } else {
            healthgate.startAs(runAs.get(0), runAs.get(1));
        }
        // Gates that observe the restore (port, http-404) need HAProxy's checks: it runs from here on
        haproxy = Haproxy.start(haproxyConfig, FRONTEND_PORT, dirs.logs());
        healthgate.awaitAllInRotation();
        awaitAllServeThroughHaproxy();
        return this;
    }

    private void awaitHealthy(HealthgateConfig.App app) {
        ManagedProcess p = ownProcesses.get(app.name());
        Await.until(app.name() + " to answer GET /health on port " + app.port(), Duration.ofSeconds(20), () -> {
            // a daemon (nginx) exits 0 once it forked, maybe before the daemon wrote its pid file
            if (!p.isAlive() && pid(app.name()).isEmpty() && p.exitCode().orElse(0) != 0) {
                throw new AssertionError(app.name() + " exited:\n" + p.logTail(20));
            }
            return Curl.get("http://127.0.0.1:" + app.port() + "/health", Duration.ofSeconds(2)).status() == 200;
        }, () -> p.logTail(20));
    }

    private void awaitAllServeThroughHaproxy() {
        LbSide.awaitAllServeThroughHaproxy(apps.stream().map(HealthgateConfig.App::name).toList(), haproxy,
                FRONTEND_PORT);
    }

    public Healthgate healthgate() {
        return healthgate;
    }

    public Haproxy haproxy() {
        return haproxy;
    }

    /** Stops HAProxy: the load balancer is down. {@link #startHaproxyAgain} brings it back. */
    public void stopHaproxy() {
        haproxy.close();
    }

    /** Starts HAProxy again on the same config (logging to haproxy-again.log) and waits until every app serves through it. */
    public void startHaproxyAgain() {
        haproxy = Haproxy.start("haproxy-again", haproxyConfig, FRONTEND_PORT, dirs.logs());
        awaitAllServeThroughHaproxy();
    }

    /**
     * Starts the load: {@code users} users (half sticky, arriving with the apps' cookies in turn) at
     * {@code rate} requests/s, at most 2 minutes.
     */
    public LoadGenerator startLoad(int users, int rate) {
        return startLoad(loadOptions(users, rate));
    }

    /** Starts load against HAProxy's frontend with {@code options} made by {@link #loadOptions}. */
    public LoadGenerator startLoad(LoadGenerator.Options options) {
        load = LoadGenerator.start(options);
        return load;
    }

    /**
     * Load options against HAProxy's frontend: {@code users} sharing {@code rate} per second, the sticky
     * ones arriving with the apps' cookies in turn.
     */
    public LoadGenerator.Options loadOptions(int users, int rate) {
        List<String> cookies = apps.stream().map(HealthgateConfig.App::name).toList();
        return LoadGenerator.Options.against(FRONTEND_PORT).withRate(users, rate).withStickyCookies(cookies);
    }

    /** Waits until every app has served both sticky and new clients. */
    public void awaitWarmLoad() {
        List<String> names = apps.stream().map(HealthgateConfig.App::name).toList();
        Await.until("every app to serve sticky and new clients", Duration.ofSeconds(30), () -> {
            LoadReport r = load.report();
            return r.servedBy(RequestRecord::sticky).keySet().containsAll(names)
                    && r.servedBy(rec -> !rec.sticky()).keySet().containsAll(names);
        }, () -> load.report().summary());
    }

    /** Makes the next boot of {@code app} fail the given way (see appkit.py). */
    public void arm(String app, String fault) {
        try {
            Files.writeString(faultFile(app), fault + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void disarm(String app) {
        try {
            Files.deleteIfExists(faultFile(app));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path pidFile(String app) {
        return appDir.resolve(app + ".pid");
    }

    private Path faultFile(String app) {
        return appDir.resolve(app + ".fault");
    }

    /** The pid in {@code app}'s pid file, if any. */
    public OptionalLong pid(String app) {
        try {
            String text = Files.readString(pidFile(app)).strip();
            return text.matches("[0-9]+") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The pid healthgate last started for supervised {@code app}, from its log. */
    public long supervisedPid(String app) {
        Matcher m = STARTED.matcher(healthgate.daemon().log());
        Optional<Long> last = Optional.empty();
        while (m.find()) {
            if (m.group(1).equals(app)) {
                last = Optional.of(Long.parseLong(m.group(2)));
            }
        }
        return last.orElseThrow(() -> new AssertionError("healthgate's log names no pid started for " + app));
    }

    /**
     * The number of active (non-backup) servers HAProxy reported at each state change it logged after
     * {@code fromChar} of its log: HAProxy's own view of how many apps are in rotation.
     */
    public List<Integer> activeCountsSince(int fromChar) {
        String log = haproxy.log();
        Matcher m = Pattern.compile("(?m)^Server \\S+ is (?:UP|DOWN)\\b.*? (\\d+) active and")
                .matcher(log.substring(Math.min(fromChar, log.length())));
        List<Integer> counts = new ArrayList<>();
        while (m.find()) {
            counts.add(Integer.parseInt(m.group(1)));
        }
        return counts;
    }

    /** Stops the load, HAProxy, healthgate (and so the apps it supervises), the test's own apps, the rules. */
    @Override
    public void close() {
        Cleanup cleanup = new Cleanup();
        cleanup.run(() -> {
            if (load != null) {
                load.closeAndWriteReport(dirs.log("load-report.txt"));
            }
        });
        cleanup.run(() -> {
            if (haproxy != null) {
                haproxy.close();
            }
        });
        cleanup.run(() -> {
            if (healthgate != null) {
                healthgate.close();
            }
        });
        for (String name : ownProcesses.keySet()) {
            cleanup.run(() -> stopOwn(name));
        }
        cleanup.run(Iptables::removeHealthgateRules);
        cleanup.throwIfFailed("cleaning up the scenario");
    }

    /** A re-executed master is no child of the test: it is found through the pid files (Gunicorn: .2). */
    private void stopOwn(String name) {
        for (Path file : List.of(pidFile(name), Path.of(pidFile(name) + ".oldbin"), Path.of(pidFile(name) + ".2"))) {
            try {
                String text = Files.exists(file) ? Files.readString(file).strip() : "";
                if (text.matches("[0-9]+")) {
                    ProcessHandle.of(Long.parseLong(text)).ifPresent(p -> ProcessTree.stop(p, Duration.ofSeconds(10)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ownProcesses.get(name).stop(Duration.ofSeconds(10));
    }

    static String example(String script) {
        return ItEnv.repoRoot().resolve("scripts/examples").resolve(script).toString();
    }

    private static String flow(List<String> items) {
        StringBuilder y = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            y.append(i == 0 ? "" : ", ").append(HealthgateConfig.quote(items.get(i)));
        }
        return y.append(']').toString();
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    /** The state-dir of a healthgate that runs as {@code user}: made here (as root) and given to that user. */
    private Path stateDirOwnedBy(String user, String group) {
        Path state = dirs.scenario().resolve("state");
        try {
            Files.createDirectories(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + state, e);
        }
        CommandResult r = Command.of("chown", user + ":" + group, state.toString()).timeout(Duration.ofSeconds(10)).run();
        if (r.exitCode() != 0) {
            throw new AssertionError("chown " + user + ":" + group + " " + state + " failed: " + r.describe());
        }
        return state;
    }
}
