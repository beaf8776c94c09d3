package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 5's test bed: HAProxy and the load in this JVM's namespace (the "lb"), two app hosts in
 * namespaces of their own, each joined to the lb by a veth pair with link-local addresses
 * (169.254.H.1 on the lb, 169.254.H.2 on host H, a /30 each), each host running two apps bound to
 * its address and one healthgate (API on the host's own 127.0.0.1:9901). HAProxy reaches the status
 * ports over the veth, so the nat gate's redirect works through PREROUTING as in production.
 *
 * <p>Each scenario (a gate and an app kind) restarts every instance on every host, one at a time,
 * twice, under load with a share of slow requests. HAProxy runs with {@code retries 3} and
 * {@code option redispatch}, as in production, so a request sent to a closed port would not fail
 * but show up in HAProxy's log as retried or redispatched; one scenario runs with {@code retries 0}
 * instead, where it would fail. Each asserts zero failed, zero retried or redispatched, sticky
 * clients kept on their instance while it drains, and never fewer than all-but-one instance in
 * rotation, as HAProxy's stats socket reports it every 50 ms.
 */
@DisplayName("Multi-host test bed")
class MultiHostIT {
    private static final int FRONTEND_PORT = 8080;
    private static final int RATE = 500;
    private static final int USERS = 24;
    private static final int ROUNDS = 2;
    private static final Duration SLOW_REQUEST = Duration.ofMillis(400);
    private static final Duration BOOT_DELAY = Duration.ofSeconds(1);
    private static final Duration STICKY_GRACE = Duration.ofSeconds(1);
    private static final Duration CYCLE_BOUND = Duration.ofSeconds(60);
    private static final Duration START_BOUND = Duration.ofSeconds(30);
    private static final Duration BACK_IN_ROTATION = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String MARK = "\n@@status=";

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

    /** One run of the test bed. */
    record Scenario(String gate, AppKind kind, int retries) {
        @Override
        public String toString() {
            return gate + " gate, " + kind.label + ", retries " + retries;
        }

        String slug() {
            return gate + "-" + kind.name().toLowerCase() + "-retries" + retries;
        }
    }

    static Stream<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        for (AppKind kind : AppKind.values()) {
            for (String gate : List.of("nat", "port", "http-404", "agent")) {
                all.add(new Scenario(gate, kind, 3));
            }
        }
        all.add(new Scenario("nat", AppKind.STOP_START, 0));
        return all.stream();
    }

    private TestDirs dirs;
    private final List<AppHost> hosts = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() {
        Cleanup cleanup = new Cleanup();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            AutoCloseable c = toClose.get(i);
            cleanup.run(() -> {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        for (AppHost host : hosts) {
            cleanup.run(host::delete);
        }
        toClose.clear();
        hosts.clear();
        cleanup.throwIfFailed("cleaning up the test bed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("two rolling restarts of every instance on every host under load: no request failed, retried or redispatched, sticky clients kept while draining, never fewer than all-but-one instance in rotation")
    void rollingRestartsAcrossHosts(Scenario scenario) {
        NetNs.requireOwnNamespace();
        dirs = TestDirs.create("MultiHostIT-" + scenario.slug());
        for (int index = 1; index <= 2; index++) {
            AppHost host = new AppHost(index, scenario);
            hosts.add(host);
            host.create();
        }
        HealthgateConfig all = new HealthgateConfig().retries(scenario.retries());
        for (AppHost host : hosts) {
            all.app(host.app(0)).app(host.app(1));
            host.startApps();
        }
        Path statsSocket = shortSocketPath();
        Path haproxyConfig = renderHaproxyConfig(all, statsSocket);
        // The load balancer runs before healthgate starts, as it does when a fleet is rolled: a restore
        // on start waits only a few checks for HAProxy to see the opened line.
        Haproxy haproxy = Haproxy.start(haproxyConfig, FRONTEND_PORT, dirs.logs());
        toClose.add(haproxy);
        for (AppHost host : hosts) {
            toClose.add(host::stopHealthgate);
            host.startHealthgate();
        }
        for (AppHost host : hosts) {
            host.awaitAllInRotation();
        }
        List<String> names = all.apps().stream().map(HealthgateConfig.App::name).toList();
        awaitAllServeThroughHaproxy(names, haproxy);

        // runs of 4 (the instance count): round robin puts sticky and new users on every instance
        int logMark = haproxy.log().length();
        LoadGenerator load = LoadGenerator.start(LoadGenerator.Options.against(FRONTEND_PORT)
                .withRate(USERS, RATE).withStickyRun(names.size()).withSlowUsers(6, SLOW_REQUEST)
                .withMaxDuration(Duration.ofSeconds(180)));
        toClose.add(() -> load.closeAndWriteReport(dirs.log("load-report.txt")));
        awaitWarmLoad(load, names);
        CapacityWatch capacity = CapacityWatch.start(statsSocket, "app", Duration.ofMillis(50));
        toClose.add(capacity);

        List<Map.Entry<String, CycleTiming>> cycles = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            for (AppHost host : hosts) {
                for (String app : host.appNames()) {
                    cycles.add(Map.entry(app, restart(host, app, round, load, scenario.kind())));
                }
            }
        }
        capacity.close();
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        HaproxyLog haproxyLog = awaitLogged(haproxy, logMark, report.total());
        long droppedLogs = capacity.droppedLogs();
        System.out.printf("%s: %s; HAProxy: %s; in rotation (count=samples): %s%n", scenario, report.summary(),
                haproxyLog.summary(), capacity.histogram());
        cycles.forEach(c -> System.out.printf("  %s cycle: %s%n", c.getKey(), c.getValue()));

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed (non-200 or transport error) of %d across %d restarts; timeline:%n%s",
                        report.total(), cycles.size(), timeline)
                .isEmpty();
        soft.assertThat(droppedLogs).as("log lines HAProxy dropped (its count is then incomplete)").isZero();
        soft.assertThat(haproxyLog.requests()).as("requests in HAProxy's log, one per request of the load")
                .hasSize(report.total());
        soft.assertThat(haproxyLog.retriedOrRedispatched())
                .as("requests HAProxy retried or redispatched (retries %d, option redispatch): %s",
                        scenario.retries(), haproxyLog.summary())
                .isEmpty();
        soft.assertThat(haproxyLog.notOk()).as("requests HAProxy answered other than 200").isEmpty();
        soft.assertThat(report.matching(RequestRecord::slow))
                .as("slow requests (%d ms) in the load", SLOW_REQUEST.toMillis())
                .hasSizeGreaterThan(cycles.size());
        checkCapacity(soft, capacity, names.size() - 1);
        for (Map.Entry<String, CycleTiming> c : cycles) {
            RotationChecks.stickyClientsStayedWhileDraining(soft, report, c.getKey(), c.getValue());
            RotationChecks.newClientsWentElsewhereWhileOut(soft, report, c.getKey(), c.getValue());
        }
        for (AppHost host : hosts) {
            for (String app : host.appNames()) {
                JsonObject state = host.api("GET", "/v1/apps/" + app).json();
                soft.assertThat(state.getString("state")).as("state of %s on %s after the roll: %s", app,
                        host.ns, state).isEqualTo("IN_ROTATION");
            }
            if (scenario.gate().equals("nat")) {
                checkOneRulePerAppAndLine(soft, host);
                awaitChecksRedirectedInPrerouting(host);
            }
        }
        soft.assertAll();
    }

    private Path renderHaproxyConfig(HealthgateConfig all, Path statsSocket) {
        Path yaml = all.writeTo(dirs.scenario().resolve("haproxy-all.yml"));
        Path out = dirs.scenario().resolve("haproxy.cfg");
        CommandResult r = Healthgate.run(dirs.logs(), Duration.ofSeconds(60),
                List.of("haproxy-config", "--config", yaml.toString(), "--output", out.toString()));
        assertThat(r.exitCode()).as("exit code of healthgate haproxy-config over all four apps: %s", r.describe())
                .isZero();
        try {
            // the test's own view of HAProxy (healthgate never uses the socket), and a log with every line
            String cfg = Files.readString(out);
            Files.writeString(out, cfg.replaceFirst("(?m)^global\n",
                    Matcher.quoteReplacement("global\n" + CapacityWatch.globalLines(statsSocket) + "\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A path for HAProxy's stats socket short enough for a unix socket (108 bytes), under /tmp. */
    private Path shortSocketPath() {
        try {
            Path dir = Files.createTempDirectory("hg-mh-");
            toClose.add(() -> {
                Files.deleteIfExists(dir.resolve("stats.sock"));
                Files.deleteIfExists(dir);
            });
            return dir.resolve("stats.sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Capacity as HAProxy saw it, sample by sample: at least {@code min} instances took new clients. */
    private static void checkCapacity(SoftAssertions soft, CapacityWatch capacity, int min) {
        List<CapacityWatch.Sample> samples = capacity.samples();
        soft.assertThat(samples).as("samples of HAProxy's stats (errors: %s)", capacity.errors())
                .hasSizeGreaterThan(100);
        soft.assertThat(capacity.errors()).as("failed reads of HAProxy's stats socket").hasSizeLessThan(
                Math.max(5, samples.size() / 20));
        soft.assertThat(capacity.below(min)).as("samples with fewer than %d instances in rotation (histogram %s)",
                min, capacity.histogram()).isEmpty();
        soft.assertThat(capacity.histogram()).as("instances in rotation (count=samples): each restart took one out")
                .containsKey(min);
    }

    /**
     * HAProxy logs a request when it ends: waits until it has logged, after {@code fromChar} of its
     * log (where the load began), at least the load's requests.
     */
    private static HaproxyLog awaitLogged(Haproxy haproxy, int fromChar, int requests) {
        return Await.value("HAProxy to log the load's " + requests + " requests", Duration.ofSeconds(10), () -> {
            HaproxyLog log = HaproxyLog.parse(haproxy.log().substring(fromChar));
            return log.requests().size() >= requests ? Optional.of(log) : Optional.empty();
        }, () -> HaproxyLog.parse(haproxy.log().substring(fromChar)).summary() + "\n"
                + haproxy.process().logTail(5));
    }

    /** {@code 1.5}: a duration as the demo apps' command lines take it. */
    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private static void awaitAllServeThroughHaproxy(List<String> names, Haproxy haproxy) {
        Set<String> seen = new LinkedHashSet<>();
        Await.until("each of " + names + " to serve through HAProxy", Duration.ofSeconds(30), () -> {
            HttpResult r = Curl.get("http://127.0.0.1:" + FRONTEND_PORT + "/", Duration.ofSeconds(2));
            if (r.status() == 200) {
                seen.add(r.body().strip());
            }
            return seen.containsAll(names);
        }, () -> "served so far: " + seen + "\nHAProxy log:\n" + haproxy.process().logTail(20));
    }

    private static void awaitWarmLoad(LoadGenerator load, List<String> names) {
        Await.until("every instance to serve sticky and new clients", Duration.ofSeconds(20), () -> {
            LoadReport r = load.report();
            return r.servedBy(RequestRecord::sticky).keySet().containsAll(names)
                    && r.servedBy(rec -> !rec.sticky()).keySet().containsAll(names)
                    && r.total() >= 300;
        }, () -> load.report().summary());
    }

    /**
     * Restarts {@code app} (in round {@code round}) through its host's API with curl run inside the
     * host (a deploy hook on that machine), checks the answer and its observed drain, and waits until
     * the app takes new clients again.
     */
    private CycleTiming restart(AppHost host, String app, int round, LoadGenerator load, AppKind kind) {
        long sent = System.nanoTime();
        ManagedProcess hook = ManagedProcess.start("curl POST " + app + " on " + host.ns,
                host.inNs(List.of("curl", "-sS", "-X", "POST", "--max-time", Long.toString(CYCLE_BOUND.toSeconds()),
                        "-w", MARK + "%{http_code}\n", host.apiBase() + "/v1/apps/" + app + "/restart")),
                dirs.log(app + "-restart-" + round + "-curl.log"));
        CycleWatch.StartBounds start = awaitStart(host, app, sent, hook);
        hook.waitForExit(CYCLE_BOUND.plusSeconds(5));
        long answered = System.nanoTime();
        HttpResult answer = Curl.parseLog(hook.log());
        assertThat(answer.status()).as("status of POST /v1/apps/%s/restart on %s: %s", app, host.ns, answer)
                .isEqualTo(200);
        JsonObject result = answer.json();
        assertThat(result.getBoolean("ok")).as("ok in %s's restart: %s", app, result).isTrue();
        assertThat(result.getString("state")).as("state in %s's restart: %s", app, result).isEqualTo("IN_ROTATION");
        JsonObject drain = GatesIT.phase(result, "drain");
        System.out.printf("%s on %s: drain %d ms: %s%n", app, host.ns, drain.getLong("ms"), drain.getString("note"));
        assertThat(drain.getString("note"))
                .as("%s's drain was observed from HAProxy's checks over the veth, not slept: %s", app, drain)
                .containsPattern("^observed \\S.* out after \\d+ ms$");
        CycleTiming cycle = new CycleTiming(result, start, answered);
        assertThat(cycle.phaseNames()).as("phases of %s's restart", app).containsExactlyElementsOf(kind.phases());
        Await.until(app + " to serve new (non-sticky) clients again", BACK_IN_ROTATION,
                () -> load.report().records().stream().anyMatch(r -> !r.sticky()
                        && r.startNanos() - answered > 0 && app.equals(r.servedBy())),
                () -> load.report().timeline(Duration.ofSeconds(1)));
        return cycle;
    }

    /** {@link CycleWatch#awaitStart}, with the API polled from inside the app host. */
    private static CycleWatch.StartBounds awaitStart(AppHost host, String app, long callerStartedNanos,
            ManagedProcess caller) {
        long[] lastIdleSent = {callerStartedNanos};
        long firstBusyAnswered = Await.value(app + "'s cycle to start (busy in GET /v1/apps/" + app + " on " + host.ns
                + ")", START_BOUND, () -> {
                    long polled = System.nanoTime();
                    HttpResult r = host.api("GET", "/v1/apps/" + app);
                    long answered = System.nanoTime();
                    if (r.status() == 200 && r.json().getBoolean("busy", false)) {
                        return Optional.of(answered);
                    }
                    if (!caller.isAlive()) {
                        throw new AssertionError(caller.name() + " exited before " + app + " was seen busy:\n"
                                + caller.log());
                    }
                    lastIdleSent[0] = polled;
                    return Optional.empty();
                }, () -> caller.logTail(20));
        return new CycleWatch.StartBounds(lastIdleSent[0], firstBusyAnswered);
    }

    /** The host's PREROUTING holds exactly one healthgate rule per app and line, and no other. */
    private static void checkOneRulePerAppAndLine(SoftAssertions soft, AppHost host) {
        List<String> rules = host.natRules("PREROUTING");
        Pattern healthgate = Pattern.compile("--comment \"?healthgate:");
        List<String> expected = new ArrayList<>();
        for (String app : host.appNames()) {
            for (String line : List.of("main", "backup")) {
                String comment = "healthgate:" + app + ":" + line;
                expected.add(comment);
                Pattern p = Pattern.compile("--comment \"?" + Pattern.quote(comment) + "\"?(\\s|$)");
                soft.assertThat(rules.stream().filter(l -> p.matcher(l).find()).count())
                        .as("PREROUTING rules of %s with comment %s: %s", host.ns, comment, rules).isEqualTo(1);
            }
        }
        soft.assertThat(rules.stream().filter(l -> healthgate.matcher(l).find()).count())
                .as("healthgate rules in %s's PREROUTING (expected only %s): %s", host.ns, expected, rules)
                .isEqualTo(expected.size());
    }

    /**
     * HAProxy's checks from the lb arrive on the host's veth, so each restored rule of PREROUTING
     * counts them (every check is a new connection, nat sees its first packet).
     */
    private static void awaitChecksRedirectedInPrerouting(AppHost host) {
        for (String app : host.appNames()) {
            for (String line : List.of("main", "backup")) {
                String comment = "healthgate:" + app + ":" + line;
                Await.until("HAProxy's checks to be redirected by " + host.ns + "'s PREROUTING rule " + comment,
                        Duration.ofSeconds(5), () -> host.packets("PREROUTING", comment) > 0,
                        () -> host.run(host.inNs(List.of("iptables", "-w", "-t", "nat", "-L", "PREROUTING", "-v",
                                "-n", "-x"))).stdout());
            }
        }
    }

    /**
     * App host H: the namespace {@code hg-hH-PID}, joined to the lb namespace by the veth pair
     * {@code hg-hH} (lb side, 169.254.H.1/30) and {@code eth0} (host side, 169.254.H.2/30); apps
     * web(2H-1) on 8001 and web(2H) on 8002, status ports 9001/9101 and 9002/9102 (the same on every
     * host, as in a fleet), and a healthgate with its API on the host's 127.0.0.1:9901.
     */
    private final class AppHost {
        final int index;
        final Scenario scenario;
        final String ns;
        final String lbLink;
        final String lbAddress;
        final String address;
        private final List<HealthgateConfig.App> apps = new ArrayList<>();
        private Path dir;
        private ManagedProcess healthgate;
        private boolean created;

        AppHost(int index, Scenario scenario) {
            this.index = index;
            this.scenario = scenario;
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
            for (int i = 0; i < 2; i++) {
                String name = "web" + (2 * index - 1 + i);
                int port = 8001 + i;
                HealthgateConfig.App app = new HealthgateConfig.App(name, port, 9001 + i, 9101 + i)
                        .host(address)
                        .gate(scenario.gate())
                        .readyTimeout(Duration.ofSeconds(30))
                        .stickyGrace(STICKY_GRACE)
                        .drainTimeout(Duration.ofSeconds(30));
                if (scenario.kind() == AppKind.STOP_START) {
                    app.restartExec(ctl("restart", name, port, BOOT_DELAY));
                } else {
                    app.restartStrategy("signal: { pidfile: " + HealthgateConfig.quote(pidFile(name).toString())
                                    + ", signal: USR2, new-pid: true, then-old: QUIT }")
                            .keepsPortOpen(true)
                            .restartTimeout(Duration.ofSeconds(15));
                }
                apps.add(app);
            }
        }

        private Path pidFile(String app) {
            return dir.resolve("apps").resolve(app + ".pid");
        }

        HealthgateConfig.App app(int i) {
            return apps.get(i);
        }

        List<String> appNames() {
            return apps.stream().map(HealthgateConfig.App::name).toList();
        }

        String apiBase() {
            return "http://127.0.0.1:9901";
        }

        /**
         * Starts both apps in the host (bound to its address), as its init system would, and waits
         * until the lb reaches them.
         */
        void startApps() {
            for (HealthgateConfig.App app : apps) {
                if (scenario.kind() == AppKind.STOP_START) {
                    CommandResult r = Command.of(inNs(ctl("start", app.name(), app.port(), Duration.ZERO)))
                            .timeout(COMMAND_TIMEOUT).logTo(dirs.logs(), "demo-appctl-start-" + app.name()).run();
                    assertThat(r.exitCode()).as("exit code of demo-appctl start %s in %s: %s", app.name(), ns,
                            r.describe()).isZero();
                } else {
                    // a re-executed master is no child of this process: delete() stops what is left
                    ManagedProcess.start(app.name() + " in " + ns, inNs(List.of("python3",
                            ItEnv.repoRoot().resolve("scripts/examples/unicorn_like.py").toString(), "--name",
                            app.name(), "--port", Integer.toString(app.port()), "--host", address, "--pidfile",
                            pidFile(app.name()).toString(), "--boot-delay", seconds(BOOT_DELAY))),
                            dirs.log(app.name() + ".log"));
                }
            }
            for (HealthgateConfig.App app : apps) {
                String url = "http://" + address + ":" + app.port() + "/health";
                Await.until(app.name() + " to answer GET " + url + " from the lb over the veth", Duration.ofSeconds(15),
                        () -> Curl.get(url, Duration.ofSeconds(2)).status() == 200);
            }
        }

        /** Starts {@code healthgate run} inside the host with a config of its two apps. */
        void startHealthgate() {
            HealthgateConfig config = new HealthgateConfig();
            apps.forEach(config::app);
            Path file = config.writeTo(dir.resolve("healthgate.yml"));
            ItEnv.requireJar();
            healthgate = ManagedProcess.start("healthgate in " + ns,
                    inNs(List.of(ItEnv.healthgateLauncher().toString(), "run", "--config", file.toString())),
                    dirs.log("healthgate-h" + index + ".log"));
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
            CommandResult r = Command.of(inNs(List.of("curl", "-sS", "-X", method, "--max-time", "10",
                    "-w", MARK + "%{http_code}\n", apiBase() + path))).timeout(Duration.ofSeconds(15)).run();
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

        private CommandResult run(String... command) {
            return run(List.of(command));
        }

        private CommandResult run(List<String> command) {
            CommandResult r = Command.of(command).timeout(COMMAND_TIMEOUT).logTo(dirs.logs(), "setup").run();
            if (r.exitCode() != 0) {
                throw new AssertionError("command failed: " + r.describe());
            }
            return r;
        }
    }
}
