package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * healthgate killed with SIGKILL in each phase of a restart of web1 (nat gate, a restart command), under
 * load through a real HAProxy with {@code retries 0}, then started again: no request fails as HAProxy saw
 * it, the nat rules end exactly as the config wants them (a stale rule of an app no longer configured, a
 * duplicate and a rule in one chain only, planted while healthgate was down, are cleaned up), and web1 ends
 * in rotation once ready, or FAILED with a reason naming the phase that was cut short when it is not ready.
 */
@DisplayName("healthgate killed in each phase of a restart")
class CrashSafetyIT {
    private static final List<String> PHASES =
            List.of("drain", "sticky-grace", "drain-backup", "connections", "restart", "ready", "restore");
    private static final Duration PHASE_BOUND = Duration.ofSeconds(30);
    private static final Duration BACK_BOUND = Duration.ofSeconds(60);
    /** Long enough to be seen: the connections phase lasts this long while the test holds a connection open. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration BOOT_DELAY = Duration.ofSeconds(3);

    private TestDirs dirs;
    private TwoAppScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        dirs = TestDirs.create("CrashSafetyIT-" + test.getTestMethod().orElseThrow().getName());
        scenario = new TwoAppScenario(dirs);
        // The restart command sleeps 1 s once the app was restarted, so the restart phase lasts long enough to be
        // seen (the sleep comes after: a command orphaned by the kill must not stop the app later); the app then
        // boots for 3 s, so the ready phase is seen too.
        scenario.start(web1 -> web1.restartExec(slowly(scenario.apps().restartCommand("web1", web1.port(),
                        BOOT_DELAY)))
                        .stickyGrace(Duration.ofSeconds(1))
                        .drainTimeout(DRAIN_TIMEOUT)
                        .readyTimeout(READY_TIMEOUT),
                web2 -> { });
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("fails no request, leaves no stray rule, and ends IN_ROTATION when ready or FAILED naming the phase when not")
    void killedInEachPhaseRecovers() throws Exception {
        Healthgate healthgate = scenario.healthgate();
        int logFrom = scenario.haproxy().log().length(); // before the load: HAProxy logs each of its requests
        LoadGenerator load = scenario.startLoad(LoadGenerator.Options.against(TwoAppScenario.FRONTEND_PORT)
                .withMaxDuration(Duration.ofMinutes(4)));
        awaitWarm(load);
        SoftAssertions soft = new SoftAssertions();

        boolean planted = false;
        for (String phase : PHASES) {
            long sent = System.nanoTime();
            ManagedProcess post = Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/restart",
                    Duration.ofSeconds(60), dirs.log("web1-restart-" + phase + ".log"));
            // an idle connection to the app port keeps the connections phase open until drain-timeout
            Socket held = phase.equals("connections") ? new Socket("127.0.0.1", 8001) : null;
            try {
                awaitPhase(healthgate, phase);
                healthgate.killDaemon();
            } finally {
                if (held != null) {
                    held.close();
                }
            }
            post.waitForExit(Duration.ofSeconds(10));
            if (!planted) {
                plantStrayRules();
                planted = true;
            }
            healthgate.start();
            JsonObject web1 = awaitSettled(healthgate);
            soft.assertThat(web1.getString("state")).as("web1 after a kill in its %s phase: %s", phase, web1)
                    .isEqualTo("IN_ROTATION");
            soft.assertThat(web1.getJsonObject("lastCycle").getString("action"))
                    .as("the cycle that brought web1 back after a kill in %s: %s", phase, web1).isEqualTo("resume");
            soft.assertThat(healthgate.state("web2")).as("web2, untouched, after a kill in web1's %s phase", phase)
                    .isEqualTo("IN_ROTATION");
            assertRulesExactly(soft, "after a kill in web1's " + phase + " phase", List.of("web1", "web2"));
            scenario.awaitServesNewClients("web1", sent, BACK_BOUND);
        }

        // not ready after the kill: web1 is stopped while healthgate is down, in the middle of its ready wait
        ManagedProcess post = Curl.postInBackground(healthgate.apiBase() + "/v1/apps/web1/restart",
                Duration.ofSeconds(60), dirs.log("web1-restart-not-ready.log"));
        awaitPhase(healthgate, "ready");
        healthgate.killDaemon();
        post.waitForExit(Duration.ofSeconds(10));
        scenario.apps().stop("web1");
        long down = System.nanoTime();
        healthgate.start();
        JsonObject web1 = awaitSettled(healthgate);
        soft.assertThat(web1.getString("state")).as("web1 not ready after the kill: %s", web1).isEqualTo("FAILED");
        soft.assertThat(web1.getString("reason")).as("web1's reason: %s", web1)
                .contains("interrupted by a restart of healthgate (restart in its ready phase)")
                .contains("not ready");
        assertRulesExactly(soft, "once web1 is FAILED (both its gates closed)", List.of("web2"));
        Await.until("two more seconds of load with web1 FAILED", Duration.ofSeconds(10),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - down > 2_000_000_000L));

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofSeconds(1));
        HaproxyLog logged = awaitLogged(scenario.haproxy(), logFrom, report.total());
        System.out.printf("%s%nHAProxy: %s%n%s%n", report.summary(), logged.summary(), timeline);
        soft.assertThat(report.failures())
                .as("requests that failed (non-200 or transport error) of %d; timeline:%n%s", report.total(), timeline)
                .isEmpty();
        soft.assertThat(logged.notOk()).as("requests HAProxy answered with anything but 200 (retries 0)").isEmpty();
        soft.assertThat(logged.retriedOrRedispatched()).as("requests HAProxy retried or redispatched").isEmpty();
        soft.assertAll();
    }

    /** {@code bash -c '"$@" && sleep 1' slow-restart COMMAND...}: the command as arguments, never in the script. */
    private static List<String> slowly(List<String> command) {
        List<String> args = new ArrayList<>(List.of("bash", "-c", "\"$@\" && sleep 1", "slow-restart"));
        args.addAll(command);
        return args;
    }

    private void awaitWarm(LoadGenerator load) {
        Await.until("both instances to serve", Duration.ofSeconds(20), () -> {
            LoadReport r = load.report();
            return r.servedBy(rec -> true).keySet().containsAll(List.of("web1", "web2")) && r.total() >= 300;
        }, () -> load.report().summary());
    }

    /**
     * Waits until web1's restart is in {@code phase}, both in the API and in its state file (written before the
     * phase begins), so the kill lands inside that phase.
     */
    private void awaitPhase(Healthgate healthgate, String phase) {
        Path file = dirs.scenario().resolve("state").resolve("web1.json");
        Await.until("web1's restart to be in its " + phase + " phase (API and state file)", PHASE_BOUND, () -> {
            JsonObject app = healthgate.get("/v1/apps/web1").json();
            if (app.getString("running") == null && app.getJsonObject("lastCycle") != null
                    && "restart".equals(app.getJsonObject("lastCycle").getString("action"))) {
                throw new AssertionError("web1's restart ended before its " + phase + " phase was seen: " + app);
            }
            return phase.equals(app.getString("phase")) && phase.equals(savedPhase(file));
        }, () -> healthgate.get("/v1/apps/web1") + "\nstate file: " + read(file));
    }

    /** Waits until web1 has no cycle running, and returns GET /v1/apps/web1. */
    private static JsonObject awaitSettled(Healthgate healthgate) {
        return Await.value("web1 to settle after healthgate started again", BACK_BOUND, () -> {
            JsonObject app = healthgate.get("/v1/apps/web1").json();
            boolean settled = !app.getBoolean("busy", true) && app.getJsonObject("lastCycle") != null
                    && List.of("IN_ROTATION", "FAILED").contains(app.getString("state"));
            return settled ? Optional.of(app) : Optional.empty();
        }, () -> healthgate.get("/v1/apps/web1") + "\n" + healthgate.daemon().logTail(20));
    }

    /**
     * While healthgate is down: a rule of an app no config has (as after a rename), a duplicate of web2's main
     * rule, and web2's backup rule taken out of PREROUTING (a rule in one chain only).
     */
    private static void plantStrayRules() {
        String web2Main = Iptables.natRules("OUTPUT").stream().filter(r -> r.contains("healthgate:web2:main"))
                .findFirst().orElseThrow(() -> new AssertionError("no web2 main rule in OUTPUT: "
                        + Iptables.natRules("OUTPUT")));
        iptables(Iptables.split(web2Main));
        iptables(List.of("-A", "OUTPUT", "-p", "tcp", "-m", "tcp", "--dport", "9003", "-m", "comment",
                "--comment", "healthgate:renamed:main", "-j", "REDIRECT", "--to-ports", "8003"));
        iptables(List.of("-A", "PREROUTING", "-p", "tcp", "-m", "tcp", "--dport", "9003", "-m", "comment",
                "--comment", "healthgate:renamed:main", "-j", "REDIRECT", "--to-ports", "8003"));
        String web2Backup = Iptables.natRules("PREROUTING").stream().filter(r -> r.contains("healthgate:web2:backup"))
                .findFirst().orElseThrow();
        List<String> delete = new ArrayList<>(Iptables.split(web2Backup));
        delete.set(0, "-D");
        iptables(delete);
    }

    private static void iptables(List<String> spec) {
        NetNs.requireOwnNamespace();
        List<String> args = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
        args.addAll(spec);
        CommandResult r = Command.of(args).timeout(Duration.ofSeconds(20)).run();
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", args) + " failed: " + r.describe());
        }
    }

    /** Exactly one rule per line and chain for each app in {@code open}, and no other healthgate rule. */
    private static void assertRulesExactly(SoftAssertions soft, String when, List<String> open) {
        List<String> all = Iptables.healthgateRules();
        soft.assertThat(all).as("healthgate's nat rules %s", when).hasSize(open.size() * 2 * Iptables.CHAINS.size());
        for (String app : open) {
            for (String line : List.of("main", "backup")) {
                for (String chain : Iptables.CHAINS) {
                    String comment = "healthgate:" + app + ":" + line;
                    soft.assertThat(Iptables.count(chain, comment))
                            .as("rules commented %s in nat %s %s: %s", comment, chain, when, all).isEqualTo(1);
                }
            }
        }
        soft.assertThat(all).as("every redirect matches only local destinations, every INPUT rule only redirected "
                + "connections %s", when)
                .allMatch(r -> r.startsWith("-A INPUT ") ? r.contains("-m conntrack --ctstate DNAT --ctorigdstport ")
                        : r.contains("-m addrtype --dst-type LOCAL"));
    }

    /**
     * HAProxy logs a request when it ends, through a buffered stdout: waits until it has logged the load's
     * requests, or until its log has not grown for 2 s (bounded), and returns what it logged.
     */
    private static HaproxyLog awaitLogged(Haproxy haproxy, int fromChar, int requests) {
        long[] last = {-1, System.nanoTime()};
        return Await.value("HAProxy to log the load's " + requests + " requests", Duration.ofSeconds(15), () -> {
            HaproxyLog log = HaproxyLog.parse(haproxy.log().substring(fromChar));
            int n = log.requests().size();
            if (n != last[0]) {
                last[0] = n;
                last[1] = System.nanoTime();
            }
            boolean settled = System.nanoTime() - last[1] > 2_000_000_000L;
            return n >= requests || settled ? Optional.of(log) : Optional.empty();
        }, () -> HaproxyLog.parse(haproxy.log().substring(fromChar)).summary());
    }

    private static String savedPhase(Path file) {
        String text = read(file);
        return text == null ? null : new JsonObject(text).getString("phase");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
