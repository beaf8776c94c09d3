package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.it.AppHost.AppKind;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    private static final Duration CYCLE_BOUND = Duration.ofSeconds(60);
    private static final Duration START_BOUND = Duration.ofSeconds(30);
    private static final Duration BACK_IN_ROTATION = Duration.ofSeconds(20);
    private static final String MARK = "\n@@status=";

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
        cleanup.closeAll(toClose);
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
            AppHost host = new AppHost(dirs, index, scenario.gate(), scenario.kind());
            hosts.add(host);
            host.create();
        }
        HealthgateConfig all = new HealthgateConfig().retries(scenario.retries());
        for (AppHost host : hosts) {
            all.app(host.app(0)).app(host.app(1));
            host.startApps();
        }
        Path statsSocket = LbSide.shortSocketPath(toClose);
        Path haproxyConfig = LbSide.renderHaproxyConfig(dirs, all, statsSocket);
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
        LbSide.awaitAllServeThroughHaproxy(names, haproxy, FRONTEND_PORT);

        // runs of 4 (the instance count): round robin puts sticky and new users on every instance
        int logMark = haproxy.log().length();
        LoadGenerator load = LoadGenerator.start(LoadGenerator.Options.against(FRONTEND_PORT)
                .withRate(USERS, RATE).withStickyRun(names.size()).withSlowUsers(6, SLOW_REQUEST)
                .withMaxDuration(Duration.ofSeconds(180)));
        toClose.add(() -> load.closeAndWriteReport(dirs.log("load-report.txt")));
        LbSide.awaitWarmLoad(load, names);
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
        HaproxyLog haproxyLog = LbSide.awaitLogged(haproxy, logMark, report.total());
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
        LbSide.checkCapacity(soft, capacity, names.size() - 1);
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
     * counts them (every check is a new connection, nat sees its first packet), and so does the line's
     * rule in INPUT, which gives each redirected check a source port below 1024.
     */
    private static void awaitChecksRedirectedInPrerouting(AppHost host) {
        for (String app : host.appNames()) {
            for (String line : List.of("main", "backup")) {
                String comment = "healthgate:" + app + ":" + line;
                for (String chain : List.of("PREROUTING", "INPUT")) {
                    Await.until("HAProxy's checks to be counted by " + host.ns + "'s " + chain + " rule " + comment,
                            Duration.ofSeconds(5), () -> host.packets(chain, comment) > 0,
                            () -> host.run(host.inNs(List.of("iptables", "-w", "-t", "nat", "-L", chain, "-v",
                                    "-n", "-x"))).stdout());
                }
            }
        }
    }
}
