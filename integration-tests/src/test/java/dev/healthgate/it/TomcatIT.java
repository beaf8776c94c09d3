package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's Tomcat 10.1, the slow stop-start Java case: it cannot hand its socket over, so its port is
 * closed between the stop and the start. healthgate supervises it ({@code catalina.sh run}, TERM) and
 * gates the whole way: new clients leave first, then sticky clients (the backup gate closes), then the
 * connections drain, and only then is Tomcat stopped. web2 is a plain supervised app that takes the
 * load meanwhile. Behind a real HAProxy with {@code retries 0}: no request fails.
 */
@DisplayName("Tomcat")
class TomcatIT {

    private WrappedAppsScenario scenario;

    @BeforeEach
    void startScenario(TestInfo test) {
        scenario = new WrappedAppsScenario(TestDirs.create("TomcatIT-" + test.getTestMethod().orElseThrow().getName()));
        scenario.supervisedServer(1, app -> RealServers.tomcat(), RealServers.tomcatEnv(scenario, "web1", 8001),
                Duration.ofSeconds(90), false);
        scenario.supervised(2);
        scenario.start();
    }

    @AfterEach
    void stopScenario() {
        scenario.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("a gated stop-start fails no request: the backup gate closes before Tomcat's port does")
    void gatedStopStartFailsNothing() throws Exception {
        long before = scenario.supervisedPid("web1");
        LoadGenerator load = scenario.startLoad(RealServers.USERS, RealServers.RATE);
        scenario.awaitWarmLoad();

        PortProbe probe = PortProbe.start(8001);
        long sent = System.nanoTime();
        HttpResult api = scenario.healthgate().post("/v1/apps/web1/restart");
        long answered = System.nanoTime();
        probe.stop();
        assertThat(api.status()).as("POST /v1/apps/web1/restart: %s", api).isEqualTo(200);
        var result = api.json();
        System.out.println("restart web1 (Tomcat): " + result.encode());
        List<String> phases = SignalRestartIT.phaseNames(result);
        assertThat(phases).as("phases of %s", result)
                .containsExactly("drain", "sticky-grace", "drain-backup", "connections", "restart", "ready", "restore");
        assertThat(scenario.supervisedPid("web1")).as("Tomcat's pid after the restart").isNotEqualTo(before);

        // The port was seen closed (Tomcat stopped), and not before the phases that close the gates ended
        long gatedMillis = 0;
        for (String p : List.of("drain", "sticky-grace", "drain-backup", "connections")) {
            gatedMillis += result.getJsonArray("phases").stream().map(io.vertx.core.json.JsonObject.class::cast)
                    .filter(j -> p.equals(j.getString("name"))).findFirst().orElseThrow().getLong("ms");
        }
        assertThat(probe.firstRefusedNanos()).as("Tomcat's port was closed during the restart").isPositive();
        assertThat((probe.firstRefusedNanos() - sent) / 1_000_000).as("ms from the request to the port's first refusal;"
                + " drain .. connections took %d ms", gatedMillis).isGreaterThanOrEqualTo(gatedMillis);

        Await.until("web1 to serve new clients again", Duration.ofSeconds(15), () -> load.report().records().stream()
                .anyMatch(r -> !r.sticky() && r.startNanos() - answered > 0 && "web1".equals(r.servedBy())));
        LoadReport report = load.stop();
        String timeline = report.timeline(Duration.ofMillis(500));
        System.out.printf("%s%n%s%n", report.summary(), timeline);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report.failures())
                .as("requests that failed of %d; timeline:%n%s", report.total(), timeline).isEmpty();
        soft.assertThat(scenario.healthgate().state("web1")).isEqualTo("IN_ROTATION");
        soft.assertAll();
        long moved = report.matching(r -> r.sticky() && r.cookieSent() != null && !r.cookieSent().equals(r.servedBy())).size();
        System.out.printf("tomcat: %d requests, %d failed, %d sticky requests moved (stop-start); cycle %d ms%n",
                report.total(), report.failures().size(), moved, result.getLong("totalMs"));
    }

    /** Connects to a port every 20 ms until stopped (at most 3 minutes); remembers the first refusal. */
    static final class PortProbe {
        private final AtomicLong firstRefused = new AtomicLong();
        private final Sampler sampler;

        private PortProbe(int port) {
            sampler = Sampler.every("port-probe-" + port, Duration.ofMillis(20), Duration.ofMinutes(3), () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                } catch (IOException e) {
                    firstRefused.compareAndSet(0, System.nanoTime());
                }
            });
        }

        static PortProbe start(int port) {
            return new PortProbe(port);
        }

        void stop() {
            sampler.close();
        }

        /** System.nanoTime() of the first failed connect, or 0. */
        long firstRefusedNanos() {
            return firstRefused.get();
        }
    }
}
