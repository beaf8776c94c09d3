package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Apps that healthgate starts and owns ({@code restart.supervise}): plain_app.py as web1 and web2
 * behind a real HAProxy, under load.
 */
@DisplayName("A supervised app")
class SupervisedAppIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("SupervisedAppIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.supervised(1);
        scenario.supervised(2);
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("restarted under load fails no request: stopped with TERM, started again, back once ready")
    void restartUnderLoadFailsNoRequest() {
        Healthgate healthgate = scenario.healthgate();
        long before = scenario.supervisedPid("web1");
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();

        HttpResult api = healthgate.post("/v1/apps/web1/restart");
        long answered = System.nanoTime();
        assertThat(api.status()).as("POST /v1/apps/web1/restart: %s", api).isEqualTo(200);
        JsonObject result = api.json();
        assertThat(result.getString("state")).as("state in %s", result).isEqualTo("IN_ROTATION");
        assertThat(SignalRestartIT.note(result, "restart")).as("restart phase of %s", result)
                .startsWith("started pid ");
        long after = scenario.supervisedPid("web1");
        assertThat(after).as("web1's pid after the restart").isNotEqualTo(before);
        awaitWeb1ServesNewClients(load, answered);

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        String log = healthgate.daemon().log();
        soft.assertThat(log).as("healthgate's log has web1's own output under its name")
                .containsPattern("(?m) web1 - \\S+ web1\\[" + after + "\\] listening on 127.0.0.1:8001$")
                .contains("web1: pid " + before + " stopped after TERM");
        soft.assertAll();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("killed from outside with SIGKILL: its gates close, it is started again and back in rotation, no operator action")
    void killedFromOutsideIsRecovered() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();
        int haproxyLogMark = scenario.haproxy().log().length();

        long killed = killWeb1("");
        long killedAt = System.nanoTime();

        JsonObject recovered = awaitLastCycle("recover");
        JsonObject cycle = recovered.getJsonObject("lastCycle");
        assertThat(cycle.getBoolean("ok")).as("recover cycle %s", cycle).isTrue();
        assertThat(recovered.getString("state")).as("web1 after its recovery: %s", recovered).isEqualTo("IN_ROTATION");
        assertThat(SignalRestartIT.phaseNames(cycle)).as("phases of %s", cycle)
                .containsExactly("close", "restart", "ready", "restore");
        assertThat(scenario.supervisedPid("web1")).as("web1's new pid").isNotEqualTo(killed);
        assertThat(healthgate.daemon().log()).as("healthgate's log")
                .contains("web1 (pid " + killed + ") was killed by SIGKILL unexpectedly");
        String haproxyLog = scenario.haproxy().log().substring(haproxyLogMark);
        assertThat(haproxyLog).as("HAProxy took web1 out, then put it back")
                .containsPattern("Server app/web1 is DOWN[\\s\\S]*Server app/web1 is UP");

        awaitWeb1ServesNewClients(load, killedAt);
        LoadReport report = load.stop();
        // Requests web1 was serving when it was killed, and those HAProxy sent before its checks failed,
        // can fail (the test's HAProxy has retries 0): a crash is not a graceful restart. Reported only.
        System.out.printf("%s%nfailed around the kill: %s%n%s%n", report.summary(), report.failures().size(),
                report.timeline(Duration.ofMillis(500)));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("drained, then killed: its backup gate closes at once, it is started again and stays out until restored")
    void drainedThenKilledStaysOutWithBothGatesClosed() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();

        HttpResult drain = healthgate.post("/v1/apps/web1/drain");
        assertThat(drain.status()).as("POST /v1/apps/web1/drain: %s", drain).isEqualTo(200);
        long drained = System.nanoTime();
        assertThat(healthgate.get("/v1/apps/web1").json().getJsonObject("gates")).as("web1's gates once drained")
                .isEqualTo(new JsonObject().put("main", "closed").put("backup", "open"));
        Await.until("web1's sticky clients to reach it through its backup line", Duration.ofSeconds(15),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - drained > 0
                        && "web1".equals(r.cookieSent()) && "web1".equals(r.servedBy())));

        int haproxyLogMark = scenario.haproxy().log().length();
        long killed = killWeb1(" (drained)");
        long killedAt = System.nanoTime();

        JsonObject recovered = awaitLastCycle("recover-drained");
        JsonObject cycle = recovered.getJsonObject("lastCycle");
        assertThat(cycle.getBoolean("ok")).as("recover-drained cycle %s", cycle).isTrue();
        assertThat(SignalRestartIT.phaseNames(cycle)).as("phases of %s: the backup gate closes before the app is started", cycle)
                .containsExactly("close", "restart", "ready");
        assertThat(recovered.getString("state")).as("web1 after its recovery: %s", recovered).isEqualTo("OUT_OF_ROTATION");
        assertThat(recovered.getJsonObject("gates")).as("web1's gates after its recovery")
                .isEqualTo(new JsonObject().put("main", "closed").put("backup", "closed"));
        assertThat(scenario.supervisedPid("web1")).as("web1's new pid").isNotEqualTo(killed);
        assertThat(healthgate.daemon().log()).as("healthgate's log")
                .contains("web1: drained by an operator: closing its backup gate too");

        // HAProxy takes the backup line out: from then on web1's sticky clients go to web2, and none fails
        Await.until("HAProxy to take web1's backup line out", Duration.ofSeconds(15),
                () -> scenario.haproxy().log().substring(haproxyLogMark).contains("Server app/web1-bkp is DOWN"));
        long backupOut = System.nanoTime();
        Await.until("load to run for 2 s with web1's backup line out", Duration.ofSeconds(15),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - backupOut > 2_000_000_000L));
        String whileOut = scenario.haproxy().log().substring(haproxyLogMark);
        assertThat(whileOut).as("HAProxy's log after the kill: web1 stays out, on neither line")
                .doesNotContainPattern("Server app/web1(-bkp)? is UP");

        long restoring = System.nanoTime();
        HttpResult restore = healthgate.post("/v1/apps/web1/restore");
        assertThat(restore.status()).as("POST /v1/apps/web1/restore: %s", restore).isEqualTo(200);
        assertThat(restore.json().getString("state")).as("state in %s", restore).isEqualTo("IN_ROTATION");
        long restored = System.nanoTime();
        awaitWeb1ServesNewClients(load, restored);

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%nfailed around the kill: %s%n%s%n", report.summary(), report.failures().size(), timeline);
        SoftAssertions soft = new SoftAssertions();
        // requests web1 was serving when it was killed, and its sticky clients' requests sent before HAProxy
        // took the backup line out, can fail (retries 0): a crash is not a graceful restart
        soft.assertThat(report.failures()).as("failures: web1's sticky clients only, around the kill; timeline:%n%s",
                timeline).allMatch(r -> "web1".equals(r.cookieSent()) && r.startNanos() - killedAt > -1_000_000_000L
                        && r.startNanos() - backupOut < 0);
        soft.assertThat(report.matching(r -> r.startNanos() - backupOut > 0 && r.startNanos() - restoring < 0
                && "web1".equals(r.servedBy()))).as("requests served by web1 while it was out").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("killed while an operator's restart drains it: the restart goes on and starts it once, the recovery starts nothing more")
    void killedDuringARestartIsStartedOnce() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();

        CompletableFuture<HttpResult> restart = CompletableFuture.supplyAsync(() -> healthgate.post("/v1/apps/web1/restart"));
        String phase = awaitWeb1Phase(List.of("drain", "sticky-grace", "drain-backup", "connections"));
        long killed = killWeb1(" in the " + phase + " phase of its restart");

        HttpResult api = restart.orTimeout(90, TimeUnit.SECONDS).join();
        long answered = System.nanoTime();
        assertThat(api.status()).as("POST /v1/apps/web1/restart, web1 killed in its %s phase: %s", phase, api)
                .isEqualTo(200);
        assertThat(api.json().getString("state")).as("state in %s", api).isEqualTo("IN_ROTATION");
        long started = scenario.supervisedPid("web1");
        assertThat(SignalRestartIT.note(api.json(), "restart")).as("restart phase of %s", api)
                .startsWith("started pid " + started);
        Await.until("healthgate's recovery to find web1 running again", Duration.ofSeconds(15),
                () -> healthgate.daemon().log().contains("web1: running again as pid " + started),
                () -> healthgate.daemon().logTail(20));
        String log = healthgate.daemon().log();
        assertThat(log).as("healthgate's log")
                .contains("web1 (pid " + killed + ") was killed by SIGKILL unexpectedly")
                .contains("the restart running for it goes first")
                .doesNotContain("web1: recovered");
        assertThat(Pattern.compile("SuperviseRestart - web1: started pid ").matcher(log).results().count())
                .as("web1's starts: at boot and by the restart, none by the recovery").isEqualTo(2);
        JsonObject app = healthgate.get("/v1/apps/web1").json();
        assertThat(app.getJsonObject("lastCycle").getString("action")).as("web1's last cycle: %s", app)
                .isEqualTo("restart");

        awaitWeb1ServesNewClients(load, answered);
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%nfailed around the kill: %s%n%s%n", report.summary(), report.failures().size(), timeline);
        // web1's sticky clients can fail between the kill and the close of its backup line (a crash); once
        // the restart answered, none may
        assertThat(report.matching(r -> r.failed() && r.startNanos() - answered > 0))
                .as("requests that failed after the restart answered; timeline:%n%s", timeline).isEmpty();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("healthgate killed with SIGKILL while it restarts one: its apps stop with it, none keeps its port; started again, it brings them back")
    void healthgateKilledMidRestartLeavesNoOrphan() {
        Healthgate healthgate = scenario.healthgate();
        LoadGenerator load = scenario.startLoad(20, 200);
        scenario.awaitWarmLoad();

        CompletableFuture<HttpResult> restart = CompletableFuture.supplyAsync(() -> healthgate.post("/v1/apps/web1/restart"));
        awaitWeb1Phase(List.of("ready"));
        List<ProcessHandle> apps = ProcessHandle.of(healthgate.daemon().pid()).orElseThrow().descendants().toList();
        List<Long> pids = List.of(scenario.supervisedPid("web1"), scenario.supervisedPid("web2"));
        assertThat(apps).extracting(ProcessHandle::pid).as("healthgate's processes").containsAll(pids);
        healthgate.killDaemon();
        HttpResult cut = restart.orTimeout(30, TimeUnit.SECONDS).join();
        System.out.println("the restart's answer, healthgate killed: " + cut);

        Await.until("healthgate's apps to stop with it (pids " + pids + ")", Duration.ofSeconds(30),
                () -> apps.stream().noneMatch(ProcessHandle::isAlive) && refused(8001) && refused(8002),
                () -> apps.stream().filter(ProcessHandle::isAlive).map(h -> h.pid() + " " + h.info().commandLine()
                        .orElse("?")).toList().toString());
        long down = System.nanoTime();

        healthgate.start();
        healthgate.awaitAllInRotation();
        List<Long> again = List.of(scenario.supervisedPid("web1"), scenario.supervisedPid("web2"));
        assertThat(again).as("the apps' pids once healthgate started them again").doesNotContainAnyElementsOf(pids);
        for (String app : List.of("web1", "web2")) {
            Await.until(app + " to serve new clients again", Duration.ofSeconds(15),
                    () -> load.report().records().stream().anyMatch(r -> !r.sticky() && r.startNanos() - down > 0
                            && app.equals(r.servedBy())));
        }
        long back = System.nanoTime();
        Await.until("load to run for 1 s with both apps back", Duration.ofSeconds(15),
                () -> load.report().records().stream().anyMatch(r -> r.startNanos() - back > 1_000_000_000L));

        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        // every app of the host was down between the kill and healthgate's start: those requests fail
        System.out.printf("%s%nfailed while healthgate and its apps were down: %s%n%s%n", report.summary(),
                report.failures().size(), timeline);
        assertThat(report.matching(r -> r.failed() && r.startNanos() - back > 0))
                .as("requests that failed once both apps were back; timeline:%n%s", timeline).isEmpty();
    }

    /** Kills web1's process with SIGKILL, as the OOM killer would; returns its pid. */
    private long killWeb1(String when) {
        long pid = scenario.supervisedPid("web1");
        CommandResult kill = Command.of("kill", "-KILL", Long.toString(pid)).run();
        assertThat(kill.exitCode()).as("kill -KILL %d%s: %s", pid, when, kill).isZero();
        return pid;
    }

    /** Waits until web1's last cycle is a finished {@code action}, and returns web1 as the API shows it then. */
    private JsonObject awaitLastCycle(String action) {
        Healthgate healthgate = scenario.healthgate();
        return Await.value("web1's " + action + " cycle to end", Duration.ofSeconds(30), () -> {
            JsonObject app = healthgate.get("/v1/apps/web1").json();
            JsonObject last = app.getJsonObject("lastCycle");
            return !app.getBoolean("busy") && last != null && action.equals(last.getString("action"))
                    ? Optional.of(app) : Optional.empty();
        }, () -> healthgate.get("/v1/apps/web1") + "\n" + healthgate.daemon().logTail(20));
    }

    /** Waits until web1's cycle is in one of {@code phases}, and returns that phase. */
    private String awaitWeb1Phase(List<String> phases) {
        Healthgate healthgate = scenario.healthgate();
        return Await.value("web1's cycle to be in its " + String.join(" or ", phases) + " phase", Duration.ofSeconds(15),
                () -> {
                    String now = healthgate.get("/v1/apps/web1").json().getString("phase");
                    return phases.contains(now) ? Optional.of(now) : Optional.empty();
                }, () -> healthgate.get("/v1/apps/web1").toString());
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void awaitWeb1ServesNewClients(LoadGenerator load, long sinceNanos) {
        Await.until("web1 to serve new clients again", Duration.ofSeconds(15),
                () -> load.report().records().stream().anyMatch(r -> !r.sticky() && r.startNanos() - sinceNanos > 0
                        && "web1".equals(r.servedBy())));
    }

}
