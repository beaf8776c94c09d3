package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.it.AppHost.AppKind;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/ansible/roll.yml} and {@code roll-batch.yml} with the real {@code ansible-playbook} across a fleet: six app hosts
 * (network namespaces joined to this JVM's by veth pairs, {@link AppHost}), each with a socket
 * hand-over app (unicorn_like.py) and its own healthgate whose API listens on the host's address with a token, behind
 * one real HAProxy ({@code retries 0}: a request sent to a closed port fails) with load running. The
 * play calls each host's API from the controller (roll.yml: the uri module per host; roll-batch.yml: its
 * action, once per batch) with the token from the inventory's group_vars, one batch of hosts at a time.
 * The tests run in order on one test bed.
 */
@DisplayName("The Ansible playbooks scripts/ansible/roll.yml and roll-batch.yml across six hosts under load")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleFleetIT {
    private static final int HOSTS = 6;
    private static final int FRONTEND_PORT = 8080;
    private static final int RATE = 300;
    private static final int USERS = 24;
    private static final Duration PLAY_TIMEOUT = Duration.ofMinutes(2);

    /** The two plays: two tasks per host (the uri call, the assert), or one task per batch. */
    private enum Play {
        ROLL("roll.yml", true), ROLL_BATCH("roll-batch.yml", false);

        final String file;
        /** Whether Ansible's recap lists every host (a run_once task counts for the batch's first host only). */
        final boolean recapPerHost;

        Play(String file, boolean recapPerHost) {
            this.file = file;
            this.recapPerHost = recapPerHost;
        }
    }

    private final String token = UUID.randomUUID().toString();
    private final List<AppHost> hosts = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private TestDirs dirs;
    private Haproxy haproxy;
    private Path statsSocket;
    private Path inventory;

    @BeforeAll
    void startFleet() {
        NetNs.requireOwnNamespace();
        dirs = TestDirs.create("AnsibleFleetIT");
        HealthgateConfig all = new HealthgateConfig().retries(0);
        for (int index = 1; index <= HOSTS; index++) {
            AppHost host = new AppHost(dirs, index, "nat", AppKind.SOCKET_HANDOVER).withApiOnAddress(token)
                    .withApps(1).withRestartTimeout(Duration.ofSeconds(5));
            hosts.add(host);
            host.create();
            all.app(host.app(0));
            names.addAll(host.appNames());
            host.startApps();
        }
        statsSocket = LbSide.shortSocketPath(toClose);
        haproxy = Haproxy.start(LbSide.renderHaproxyConfig(dirs, all, statsSocket), FRONTEND_PORT, dirs.logs());
        toClose.add(haproxy);
        // one after the other: six JVMs starting at once on two cores slow each other's restore-on-start
        // past its bound (rise x inter + inter), which then leaves an app FAILED
        for (AppHost host : hosts) {
            toClose.add(host::stopHealthgate);
            host.startHealthgate();
        }
        for (AppHost host : hosts) {
            host.awaitAllInRotation();
        }
        LbSide.awaitAllServeThroughHaproxy(names, haproxy, FRONTEND_PORT);
        inventory = writeInventory();
    }

    @AfterAll
    void stopFleet() {
        Cleanup cleanup = new Cleanup();
        cleanup.closeAll(toClose);
        hosts.forEach(host -> cleanup.run(host::delete));
        cleanup.throwIfFailed("cleaning up the fleet");
    }

    @Test
    @Order(1)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("serial 1: every app of every host restarted, one host at a time, no request lost, never more than one instance out")
    void rollsOneHostAtATime() {
        Map<String, Long> before = pids();

        Roll roll = rollUnderLoad(Play.ROLL, "1");

        assertThat(roll.play.exitCode()).as("ansible-playbook's exit code: %s", roll.play).isZero();
        SoftAssertions soft = new SoftAssertions();
        roll.checkNothingLost(soft);
        LbSide.checkCapacity(soft, roll.capacity, names.size() - 1);
        checkAllRestartedAndBack(soft, roll, before, 1);
        soft.assertAll();
    }

    @Test
    @Order(2)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("serial 35%: two hosts at a time, no request lost, never more than two instances out")
    void rollsInBatchesOf35Percent() {
        rollsTwoHostsAtATime(Play.ROLL);
    }

    @Test
    @Order(3)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("roll-batch.yml, serial 35%: one task per batch of two hosts, no request lost, never more than two instances out")
    void rollsInBatchesOf35PercentOneTaskPerBatch() {
        rollsTwoHostsAtATime(Play.ROLL_BATCH);
    }

    private void rollsTwoHostsAtATime(Play play) {
        Map<String, Long> before = pids();

        Roll roll = rollUnderLoad(play, "35%");

        assertThat(roll.play.exitCode()).as("ansible-playbook's exit code: %s", roll.play).isZero();
        SoftAssertions soft = new SoftAssertions();
        roll.checkNothingLost(soft);
        // 35% of 6 hosts is a batch of 2 (Ansible rounds down); each host restarts one app at a time
        LbSide.checkCapacity(soft, roll.capacity, names.size() - 2);
        checkAllRestartedAndBack(soft, roll, before, 2);
        soft.assertAll();
    }

    @Test
    @Order(4)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("a host whose app does not come back stops the play, named with the app; no later batch is touched and every other instance stays in rotation")
    void stopsAtTheFirstFailedHost() {
        stopsAtTheFailedHost(Play.ROLL);
    }

    @Test
    @Order(5)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("roll-batch.yml: a host whose app does not come back stops the play, named with the app; no later batch is touched")
    void stopsAtTheFirstFailedHostOneTaskPerBatch() {
        stopsAtTheFailedHost(Play.ROLL_BATCH);
    }

    /**
     * h3's app crashes on boot: the play stops after h3's batch (the second of 35%), which leaves it FAILED;
     * then it is disarmed and restarted through the API, back in rotation for the next test.
     */
    private void stopsAtTheFailedHost(Play play) {
        AppHost h3 = hosts.get(2);
        String failing = h3.appNames().get(0);
        h3.arm(failing, "crash-on-boot");
        try {
            checkStopsAt(play, h3, failing);
        } finally {
            h3.disarm(failing);
        }
        HttpResult back = h3.api("POST", "/v1/apps/" + failing + "/restart");
        assertThat(back.status()).as("restart of %s once disarmed: %s", failing, back).isEqualTo(200);
        h3.awaitAllInRotation();
    }

    private void checkStopsAt(Play play, AppHost h3, String failing) {
        Map<String, Long> before = pids();

        Roll roll = rollUnderLoad(play, "35%");

        assertThat(roll.play.exitCode()).as("ansible-playbook's exit code: %s", roll.play).isNotZero();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(roll.play.stdout()).as("the play's output names the host, the app and why")
                .containsPattern("healthgate on h3 \\(http://169\\.254\\.3\\.2:9901\\): roll stopped at " + failing
                        + ": " + failing + ": \\S+");
        roll.checkNothingLost(soft);
        LbSide.checkCapacity(soft, roll.capacity, names.size() - 2);
        JsonObject failed = h3.api("GET", "/v1/apps/" + failing).json();
        soft.assertThat(failed.getString("state")).as("%s after its failed restart: %s", failing, failed)
                .isEqualTo("FAILED");
        for (AppHost later : hosts.subList(4, HOSTS)) {
            for (String app : later.appNames()) {
                soft.assertThat(later.pid(app)).as("%s's pid on %s: the batch after the failure is not touched",
                        app, later.ns).isEqualTo(before.get(app));
            }
        }
        List<String> others = names.stream().filter(n -> !n.equals(failing)).toList();
        for (AppHost host : hosts) {
            for (String app : host.appNames()) {
                if (!app.equals(failing)) {
                    soft.assertThat(host.api("GET", "/v1/apps/" + app).json().getString("state"))
                            .as("state of %s on %s", app, host.ns).isEqualTo("IN_ROTATION");
                }
            }
        }
        List<CapacityWatch.Sample> samples = roll.capacity.samples();
        soft.assertThat(samples.get(samples.size() - 1).inRotation())
                .as("the instances in rotation in HAProxy's stats once the play stopped: all but %s", failing)
                .containsExactlyInAnyOrderElementsOf(others);
        soft.assertAll();
    }

    /** A play under load and what HAProxy saw meanwhile. */
    private record Roll(Play which, CommandResult play, LoadReport load, HaproxyLog log, CapacityWatch capacity) {
        void checkNothingLost(SoftAssertions soft) {
            soft.assertThat(load.failures()).as("requests that failed (non-200 or transport error) of %d; timeline:%n%s",
                    load.total(), load.timeline(Duration.ofSeconds(1))).isEmpty();
            soft.assertThat(capacity.droppedLogs()).as("log lines HAProxy dropped").isZero();
            soft.assertThat(log.requests()).as("requests in HAProxy's log, one per request of the load")
                    .hasSize(load.total());
            soft.assertThat(log.retriedOrRedispatched()).as("requests HAProxy retried or redispatched: %s",
                    log.summary()).isEmpty();
            soft.assertThat(log.notOk()).as("requests HAProxy answered other than 200").isEmpty();
        }
    }

    private Roll rollUnderLoad(Play which, String batch) {
        int logMark = haproxy.log().length();
        LoadGenerator load = LoadGenerator.start(LoadGenerator.Options.against(FRONTEND_PORT)
                .withRate(USERS, RATE).withStickyRun(names.size()).withSlowUsers(8, Duration.ofMillis(300))
                .withMaxDuration(Duration.ofSeconds(150)));
        CapacityWatch capacity = null;
        try {
            capacity = startWatch(load);
            long started = System.nanoTime();
            CommandResult play = playbook(which, batch);
            double seconds = (System.nanoTime() - started) / 1e9;
            double bound = lowerBound(play.stdout(), batch.equals("1") ? 1 : 2);
            System.out.printf("%s serial %s: the play took %.1f s; the sum over batches of the slowest host's roll "
                    + "%.1f s; ratio %.2f%n", which.file, batch, seconds, bound, seconds / bound);
            capacity.close();
            LoadReport report = load.stop();
            HaproxyLog log = LbSide.awaitLogged(haproxy, logMark, report.total());
            System.out.printf("serial %s: %s; HAProxy: %s; in rotation (count=samples): %s%n", batch,
                    report.summary(), log.summary(), capacity.histogram());
            return new Roll(which, play, report, log, capacity);
        } finally {
            if (capacity != null) {
                capacity.close(); // again, when the play failed: it stops the sampling thread
            }
            try {
                load.closeAndWriteReport(dirs.log("load-report-" + which.file + "-" + batch.replace("%", "pct") + ".txt"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The roll's lower bound from the play's output: over the batches (of {@code batch} hosts, in the
     * inventory's order), the sum of the slowest host's roll (its apps' restarts, as healthgate timed them).
     */
    private double lowerBound(String out, int batch) {
        double sum = 0;
        for (int first = 0; first < hosts.size(); first += batch) {
            double slowest = 0;
            for (AppHost host : hosts.subList(first, Math.min(first + batch, hosts.size()))) {
                double hostRoll = 0;
                for (String app : host.appNames()) {
                    Matcher m = Pattern.compile("h" + host.index + " " + app
                            + " \\S+ restart \\S+ in (\\d+\\.\\d+) s").matcher(out);
                    hostRoll += m.find() ? Double.parseDouble(m.group(1)) : 0;
                }
                slowest = Math.max(slowest, hostRoll);
            }
            sum += slowest;
        }
        return sum;
    }

    private CapacityWatch startWatch(LoadGenerator load) {
        LbSide.awaitWarmLoad(load, names);
        return CapacityWatch.start(statsSocket, "app", Duration.ofMillis(50));
    }

    private void checkAllRestartedAndBack(SoftAssertions soft, Roll roll, Map<String, Long> before, int batch) {
        for (AppHost host : hosts) {
            for (String app : host.appNames()) {
                soft.assertThat(host.pid(app)).as("%s's pid on %s (a new master after the roll)", app, host.ns)
                        .isNotEqualTo(before.get(app));
                JsonObject state = host.api("GET", "/v1/apps/" + app).json();
                soft.assertThat(state.getString("state")).as("state of %s on %s: %s", app, host.ns, state)
                        .isEqualTo("IN_ROTATION");
                soft.assertThat(roll.play.stdout()).as("the play shows %s's restart", app)
                        .containsPattern("h" + host.index + " " + app + " IN_ROTATION restart done in \\d+\\.\\d\\d s");
            }
            if (roll.which.recapPerHost) {
                soft.assertThat(roll.play.stdout()).as("the play's recap for h%d", host.index)
                        .containsPattern("h" + host.index + "\\s+: ok=\\d+ .*failed=0");
            }
        }
        soft.assertThat(roll.play.stdout()).as("the play's recap").doesNotContainPattern("failed=[1-9]");
        // Ansible lists a batch's hosts as they finish; batches follow each other in the inventory's order
        String out = roll.play.stdout();
        List<Integer> at = hosts.stream().map(h -> out.indexOf("h" + h.index + " " + h.appNames().get(0) + " "))
                .toList();
        for (int first = batch; first < at.size(); first += batch) {
            int lastOfPrevious = at.subList(first - batch, first).stream().max(Integer::compare).orElseThrow();
            int firstOfThis = at.subList(first, Math.min(first + batch, at.size())).stream().min(Integer::compare)
                    .orElseThrow();
            soft.assertThat(lastOfPrevious).as("where the restarts of the batch from h%d and the one before it show in"
                    + " the play (%s)", first + 1, at).isLessThan(firstOfThis);
        }
    }

    private Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        hosts.forEach(h -> h.appNames().forEach(app -> pids.put(app, h.pid(app))));
        return pids;
    }

    /**
     * The inventory: group {@code app} with each host's address, the calls made from the controller
     * (connection local), and the token in group_vars, never on a command line.
     */
    private Path writeInventory() {
        Path dir = dirs.scenario().resolve("inventory");
        StringBuilder ini = new StringBuilder("[app]\n");
        for (AppHost host : hosts) {
            ini.append("h").append(host.index).append(" ansible_host=").append(host.address).append('\n');
        }
        ini.append("\n[app:vars]\nansible_connection=local\n");
        try {
            Files.createDirectories(dir.resolve("group_vars"));
            Files.writeString(dir.resolve("group_vars").resolve("app.yml"), "healthgate_token: \"" + token + "\"\n");
            return Files.writeString(dir.resolve("hosts.ini"), ini);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CommandResult playbook(Play play, String batch) {
        Path home = dirs.scenario().resolve("ansible");
        return Command.of("ansible-playbook", "-i", inventory.toString(),
                        ItEnv.repoRoot().resolve("scripts/ansible").resolve(play.file).toString(),
                        "-e", "healthgate_batch=" + batch)
                .env("ANSIBLE_HOME", home.toString())
                .env("ANSIBLE_LOCAL_TEMP", home.resolve("tmp").toString())
                .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
                .env("ANSIBLE_PIPELINING", "1")
                .timeout(PLAY_TIMEOUT)
                .logTo(dirs.logs(), "ansible-playbook-" + play.file + "-" + batch.replace("%", "pct")).run();
    }
}
