package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * App host H of the multi-host test beds ({@code MultiHostIT}, {@code AnsibleFleetIT}): the namespace
 * {@code hg-hH-PID}, joined to the lb namespace (the test JVM's) by the veth pair {@code hg-hH} (lb
 * side, 169.254.H.1/30) and {@code eth0} (host side, 169.254.H.2/30); apps web(2H-1) on 8001 and
 * web(2H) on 8002 (or one app, web(H), {@link #withApps}), status ports 9001/9101 and 9002/9102 (the same on every host, as in a fleet), and a
 * healthgate with its API on the host's 127.0.0.1:9901, or on its own address with a token
 * ({@link #withApiOnAddress}), where a controller beyond the host reaches it.
 */
final class AppHost {
    static final Duration BOOT_DELAY = Duration.ofSeconds(1);
    static final Duration STICKY_GRACE = Duration.ofSeconds(1);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    static final int API_PORT = 9901;

    /** How an app restarts. */
    enum AppKind {
        /** demo_app.py via demo-appctl restart: stops, then boots for a second before it listens. */
        STOP_START("stop/start app"),
        /** unicorn_like.py: USR2 starts a new master on the inherited socket, QUIT ends the old one. */
        SOCKET_HANDOVER("socket hand-over app");

        final String label;

        AppKind(String label) {
            this.label = label;
        }

        /** The phases of one restart: an app that keeps its port open needs no sticky-grace or backup drain. */
        List<String> phases() {
            return this == STOP_START
                    ? List.of("drain", "sticky-grace", "drain-backup", "connections", "restart", "ready", "restore")
                    : List.of("drain", "restart", "ready", "restore");
        }
    }

    private final TestDirs dirs;
    final int index;
    private final String gate;
    private final AppKind kind;
    final String ns;
    final String lbLink;
    final String lbAddress;
    final String address;
    private final List<HealthgateConfig.App> apps = new ArrayList<>();
    private Path dir;
    private ManagedProcess healthgate;
    private boolean created;

    private static final String MARK = "\n@@status=";
    private String token;
    private Duration restartTimeout = Duration.ofSeconds(15);
    private int appCount = 2;

    AppHost(TestDirs dirs, int index, String gate, AppKind kind) {
        this.dirs = dirs;
        this.index = index;
        this.gate = gate;
        this.kind = kind;
        this.ns = "hg-h" + index + "-" + ProcessHandle.current().pid();
        this.lbLink = "hg-h" + index;
        this.lbAddress = "169.254." + index + ".1";
        this.address = "169.254." + index + ".2";
    }

    void create() {
        dir = dirs.scenario().resolve("h" + index);
        run("ip", "netns", "add", ns);
        created = true;
        run("ip", "link", "add", lbLink, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "addr", "add", lbAddress + "/30", "dev", lbLink);
        run("ip", "link", "set", lbLink, "up");
        run(inNs(List.of("ip", "link", "set", "lo", "up")));
        run(inNs(List.of("ip", "addr", "add", address + "/30", "dev", "eth0")));
        run(inNs(List.of("ip", "link", "set", "eth0", "up")));
        try {
            Files.createDirectories(dir.resolve("apps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < appCount; i++) {
            String name = "web" + (appCount * (index - 1) + 1 + i);
            int port = 8001 + i;
            HealthgateConfig.App app = new HealthgateConfig.App(name, port, 9001 + i, 9101 + i)
                    .host(address)
                    .gate(gate)
                    .readyTimeout(Duration.ofSeconds(30))
                    .stickyGrace(STICKY_GRACE)
                    .drainTimeout(Duration.ofSeconds(30));
            if (kind == AppKind.STOP_START) {
                app.restartExec(ctl("restart", name, port, BOOT_DELAY));
            } else {
                app.restartStrategy("signal: { pidfile: " + HealthgateConfig.quote(pidFile(name).toString())
                                + ", signal: USR2, new-pid: true, then-old: QUIT }")
                        .keepsPortOpen(true)
                        .restartTimeout(restartTimeout);
            }
            apps.add(app);
        }
    }

    /**
     * The API listens on the host's own address (169.254.H.2:9901), beyond loopback, which healthgate
     * allows only with a token: the controller of a fleet (Ansible) reaches it over the veth. Before
     * {@link #create}.
     */
    AppHost withApiOnAddress(String apiToken) {
        this.token = apiToken;
        return this;
    }

    /** How many apps the host runs (default 2: web(2H-1) and web(2H)). Before {@link #create}. */
    AppHost withApps(int count) {
        this.appCount = count;
        return this;
    }

    /** How long a socket hand-over app's new master has to show up (default 15 s). Before {@link #create}. */
    AppHost withRestartTimeout(Duration value) {
        this.restartTimeout = value;
        return this;
    }

    private Path pidFile(String app) {
        return dir.resolve("apps").resolve(app + ".pid");
    }

    private Path faultFile(String app) {
        return dir.resolve("apps").resolve(app + ".fault");
    }

    /** The pid in a socket hand-over app's pid file: a new one after each restart. */
    long pid(String app) {
        try {
            return Long.parseLong(Files.readString(pidFile(app)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes the next boot of a socket hand-over app fail the given way (see appkit.py). */
    void arm(String app, String fault) {
        try {
            Files.writeString(faultFile(app), fault + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void disarm(String app) {
        try {
            Files.deleteIfExists(faultFile(app));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HealthgateConfig.App app(int i) {
        return apps.get(i);
    }

    List<String> appNames() {
        return apps.stream().map(HealthgateConfig.App::name).toList();
    }

    /** The API as seen from the host itself and, when it listens on the host's address, from the lb. */
    String apiBase() {
        return "http://" + (token == null ? "127.0.0.1" : address) + ":" + API_PORT;
    }

    /** The API's token, or null when it listens on loopback without one. */
    String token() {
        return token;
    }

    /**
     * Starts both apps in the host (bound to its address), as its init system would, and waits
     * until the lb reaches them.
     */
    void startApps() {
        for (HealthgateConfig.App app : apps) {
            if (kind == AppKind.STOP_START) {
                CommandResult r = Command.of(inNs(ctl("start", app.name(), app.port(), Duration.ZERO)))
                        .timeout(COMMAND_TIMEOUT).logTo(dirs.logs(), "demo-appctl-start-" + app.name()).run();
                assertThat(r.exitCode()).as("exit code of demo-appctl start %s in %s: %s", app.name(), ns,
                        r.describe()).isZero();
            } else {
                // a re-executed master is no child of this process: delete() stops what is left
                ManagedProcess.start(app.name() + " in " + ns, inNs(List.of("python3",
                        ItEnv.repoRoot().resolve("scripts/examples/unicorn_like.py").toString(), "--name",
                        app.name(), "--port", Integer.toString(app.port()), "--host", address, "--pidfile",
                        pidFile(app.name()).toString(), "--boot-delay", seconds(BOOT_DELAY),
                "--fault-file", faultFile(app.name()).toString())),
                        dirs.log(app.name() + ".log"));
            }
        }
        for (HealthgateConfig.App app : apps) {
            String url = "http://" + address + ":" + app.port() + "/health";
            Await.until(app.name() + " to answer GET " + url + " from the lb over the veth", Duration.ofSeconds(15),
                    () -> Curl.get(url, Duration.ofSeconds(2)).status() == 200);
        }
    }

    /** Starts {@code healthgate run} inside the host with a config of its apps, and waits until it answers. */
    void startHealthgate() {
        launchHealthgate();
        awaitHealthgate();
    }

    /** Starts {@code healthgate run} inside the host and returns at once (see {@link #awaitHealthgate}). */
    void launchHealthgate() {
        HealthgateConfig config = new HealthgateConfig();
        if (token != null) {
            config.listen(address + ":" + API_PORT).token(token);
        }
        apps.forEach(config::app);
        Path file = config.writeTo(dir.resolve("healthgate.yml"));
        ItEnv.requireJar();
        healthgate = ManagedProcess.start("healthgate in " + ns,
                inNs(List.of(ItEnv.healthgateLauncher().toString(), "run", "--config", file.toString())),
                dirs.log("healthgate-h" + index + ".log"));
    }

    /** Waits until the host's healthgate answers {@code GET /v1/apps}. */
    void awaitHealthgate() {
        Await.until("healthgate's GET /v1/apps in " + ns + " to answer 200", Duration.ofSeconds(60), () -> {
            if (!healthgate.isAlive()) {
                throw new AssertionError("healthgate in " + ns + " exited with " + healthgate.exitCode() + ":\n"
                        + healthgate.logTail(40));
            }
            return api("GET", "/v1/apps").status() == 200;
        }, () -> healthgate.logTail(40));
    }

    void stopHealthgate() {
        if (healthgate != null) {
            healthgate.stop(Duration.ofSeconds(10));
        }
    }

    void awaitAllInRotation() {
        Await.until("every app in " + ns + " IN_ROTATION and not busy", Duration.ofSeconds(60), () -> {
            HttpResult r = api("GET", "/v1/apps");
            return r.status() == 200 && r.json().getJsonArray("apps").stream()
                    .map(JsonObject.class::cast)
                    .allMatch(a -> "IN_ROTATION".equals(a.getString("state")) && !a.getBoolean("busy", true));
        }, () -> api("GET", "/v1/apps") + "\nhealthgate log tail:\n" + healthgate.logTail(20));
    }

    /** curl against the host's API, run inside the host. */
    HttpResult api(String method, String path) {
        List<String> curl = new ArrayList<>(List.of("curl", "-sS", "-X", method, "--max-time", "10",
                "-w", MARK + "%{http_code}\n"));
        if (token != null) {
            curl.addAll(List.of("-H", "@" + tokenHeader()));
        }
        curl.add(apiBase() + path);
        CommandResult r = Command.of(inNs(curl)).timeout(Duration.ofSeconds(15)).run();
        HttpResult parsed = Curl.parseLog(r.stdout());
        return new HttpResult(parsed.status(), parsed.body(), r.stderr());
    }

    /** The rules of {@code chain} in the host's nat table. */
    List<String> natRules(String chain) {
        CommandResult r = run(inNs(List.of("iptables", "-w", "-t", "nat", "-S", chain)));
        return r.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
    }

    /** The packet count of the rule of {@code chain} with comment {@code comment} (-1: no such rule). */
    long packets(String chain, String comment) {
        CommandResult r = run(inNs(List.of("iptables", "-w", "-t", "nat", "-L", chain, "-v", "-n", "-x")));
        return r.stdout().lines().filter(l -> l.contains("/* " + comment + " */"))
                .mapToLong(l -> Long.parseLong(l.strip().split("\\s+")[0])).findFirst().orElse(-1);
    }

    /**
     * Stops what is left in the namespace (the apps, a healthgate that did not stop: processes
     * this test started there) with SIGTERM, then SIGKILL after 5 s, and deletes it, which also
     * deletes the veth pair.
     */
    void delete() {
        if (!created) {
            return;
        }
        CommandResult pids = Command.of("ip", "netns", "pids", ns).timeout(COMMAND_TIMEOUT).run();
        for (String pid : pids.stdout().lines().map(String::strip).filter(s -> s.matches("[0-9]+")).toList()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> ProcessTree.stop(p, Duration.ofSeconds(5)));
        }
        run("ip", "netns", "del", ns);
        created = false;
    }

    /** A file with the header {@code Authorization: Bearer TOKEN}, for curl's {@code -H @FILE}. */
    private Path tokenHeader() {
        Path file = dir.resolve("api-header");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "Authorization: Bearer " + token + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** {@code 1.5}: a duration as the demo apps' command lines take it. */
    static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    List<String> inNs(List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(command);
        return all;
    }

    private List<String> ctl(String verb, String name, int port, Duration bootDelay) {
        List<String> args = new ArrayList<>(List.of(ItEnv.demoAppCtl().toString(), verb, "--name", name,
                "--port", Integer.toString(port), "--dir", dir.resolve("apps").toString(), "--host", address));
        if (!bootDelay.isZero()) {
            args.add("--boot-delay");
            args.add(seconds(bootDelay));
        }
        return args;
    }

    CommandResult run(String... command) {
        return run(List.of(command));
    }

    CommandResult run(List<String> command) {
        CommandResult r = Command.of(command).timeout(COMMAND_TIMEOUT).logTo(dirs.logs(), "setup").run();
        if (r.exitCode() != 0) {
            throw new AssertionError("command failed: " + r.describe());
        }
        return r;
    }
}
