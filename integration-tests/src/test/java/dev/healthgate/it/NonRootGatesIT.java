package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 3: the gates that need no privileges work with healthgate running as {@code nobody}; and the
 * nat gate works as {@code nobody} with CAP_NET_ADMIN granted as scripts/systemd/healthgate-nat-nonroot.service
 * grants it (ambient, the only capability in the bounding set, no new privileges, a lock file of its
 * own). The apps are supervised by healthgate (plain_app.py), so they run as nobody too and healthgate
 * may stop them. The jar, the launcher, the examples and the scenario's files come from a
 * {@link WorldReadableInstall}, as a package installs them, wherever the checkout lives.
 */
@DisplayName("healthgate as a non-root user")
class NonRootGatesIT {
    private static final String USER = "nobody";
    private static final String GROUP = "nogroup";
    private static final Duration CYCLE_BOUND = Duration.ofSeconds(60);

    @ParameterizedTest(name = "gate {0}")
    @ValueSource(strings = {"port", "http-404", "agent", "nat"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("restarts a supervised app under load with no failed request")
    void restartsUnderLoadAsNobody(String gate) {
        try (WorldReadableInstall install = WorldReadableInstall.create()) {
            try (WrappedAppsScenario scenario = new WrappedAppsScenario(install.testDirs("NonRootGatesIT-" + gate))) {
                scenario.supervised(1).gate(gate);
                scenario.supervised(2).gate(gate);
                boolean nat = gate.equals("nat");
                if (nat) {
                    scenario.runHealthgateWithNetAdminAs(USER, GROUP);
                } else {
                    scenario.runHealthgateAs(USER, GROUP);
                }
                scenario.start();
                Healthgate healthgate = scenario.healthgate();
                int nobody = uidOf(USER);
                assertThat(uid(healthgate.daemon().pid())).as("real and effective uid of the healthgate daemon")
                        .isEqualTo(nobody + " " + nobody);
                // CAP_NET_ADMIN is bit 12: the daemon holds it, and nothing else, only with the nat gate
                String netAdminOnly = nat ? "0000000000001000" : "0000000000000000";
                assertThat(status(healthgate.daemon().pid(), "CapEff:")).as("the daemon's effective capabilities")
                        .isEqualTo(netAdminOnly);
                if (nat) {
                    assertThat(status(healthgate.daemon().pid(), "CapBnd:")).as("the daemon's bounding set")
                            .isEqualTo(netAdminOnly);
                    assertThat(Iptables.healthgateRules()).as("healthgate's rules, written as %s", USER).isNotEmpty();
                }
                assertThat(uid(scenario.supervisedPid("web1"))).as("real and effective uid of web1, which healthgate started")
                        .isEqualTo(nobody + " " + nobody);

                LoadGenerator load = scenario.startLoad(20, 200);
                scenario.awaitWarmLoad();
                HttpResult answer = Curl.post(healthgate.apiBase() + "/v1/apps/web1/restart", CYCLE_BOUND);
                long answered = System.nanoTime();
                assertThat(answer.status()).as("gate %s: POST /v1/apps/web1/restart as %s: %s", gate, USER, answer)
                        .isEqualTo(200);
                JsonObject result = answer.json();
                assertThat(result.getBoolean("ok")).as("ok in %s", result).isTrue();
                assertThat(result.getString("state")).as("state in %s", result).isEqualTo("IN_ROTATION");
                assertThat(GatesIT.phase(result, "drain").getString("note"))
                        .as("gate %s: the drain was observed from HAProxy's checks: %s", gate, result)
                        .startsWith("observed ");
                Await.until("web1 to serve new (non-sticky) clients again", Duration.ofSeconds(20),
                        () -> load.report().records().stream().anyMatch(r -> !r.sticky()
                                && r.startNanos() - answered > 0 && "web1".equals(r.servedBy())),
                        () -> load.report().timeline(Duration.ofSeconds(1)));
                LoadReport report = load.stop();
                String timeline = report.timeline(Duration.ofMillis(500));
                System.out.printf("gate %s as %s: %s%nphases: %s%n", gate, USER, report.summary(), result.getJsonArray("phases"));
                assertThat(report.failures())
                        .as("gate %s as %s: requests that failed of %d; timeline:%n%s", gate, USER, report.total(), timeline)
                        .isEmpty();
            }
        }
    }

    /** "REAL EFFECTIVE" from the Uid line of /proc/PID/status. */
    private static String uid(long pid) {
        String[] f = status(pid, "Uid:").split("\\s+");
        return f[0] + " " + f[1];
    }

    /** The value of the line that starts with {@code key} in /proc/PID/status. */
    private static String status(long pid, String key) {
        try {
            String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith(key)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + key + " line for pid " + pid));
            return line.substring(key.length()).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the status of pid " + pid, e);
        }
    }

    private static int uidOf(String user) {
        CommandResult r = Command.of("id", "-u", user).run();
        assertThat(r.exitCode()).as("id -u %s: %s", user, r).isZero();
        return Integer.parseInt(r.stdout().strip());
    }
}
