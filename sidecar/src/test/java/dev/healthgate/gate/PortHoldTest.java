package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The hold's decision, and its answers against a real listening socket that nobody accepts from: what
 * HAProxy's check of the backup line meets while a restarted app boots on a held socket.
 */
class PortHoldTest {

    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a closed line is closed whatever the hold; only the open backup line is held")
    void decision() {
        for (Line line : Line.values()) {
            for (boolean held : new boolean[] {false, true}) {
                assertThat(PortHold.source(line, false, held)).as("%s closed, held %s", line, held)
                        .isEqualTo(PortHold.Source.CLOSED);
            }
            assertThat(PortHold.source(line, true, false)).as("%s open, not held", line).isEqualTo(PortHold.Source.HEALTH);
        }
        assertThat(PortHold.source(Line.BACKUP, true, true)).isEqualTo(PortHold.Source.REACHABLE);
        assertThat(PortHold.source(Line.MAIN, true, true)).as("the main line is never held")
                .isEqualTo(PortHold.Source.HEALTH);
    }

    @Test
    @DisplayName("the hold covers the time from its begin to its end or deadline, whichever comes first")
    void window() {
        PortHold hold = new PortHold();
        long now = System.nanoTime();
        assertThat(hold.covers(now)).as("never begun").isFalse();
        hold.begin(now + TimeUnit.SECONDS.toNanos(10));
        assertThat(hold.covers(now)).isTrue();
        assertThat(hold.covers(now + TimeUnit.SECONDS.toNanos(10))).as("at its deadline").isFalse();
        hold.end();
        assertThat(hold.covers(now)).as("ended").isFalse();
        hold.begin(now - 1);
        assertThat(hold.covers(now)).as("deadline passed").isFalse();
    }

    @Test
    @DisplayName("while held, the backup line of an app whose socket queues but does not answer stays up; past the"
            + " deadline it is down")
    void heldSocketThatDoesNotAnswer() throws Exception {
        // listening, never accepting: the kernel completes connections into the queue, nobody answers HTTP
        try (ServerSocket queued = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AppConfig app = new AppConfig("web1", "127.0.0.1", queued.getLocalPort(), 9001, 9101, GateKind.PORT,
                    new ReadyCheck("/health", 200, Duration.ofSeconds(5)),
                    new RestartSpec(List.of("true"), true, Duration.ofSeconds(1)),
                    Duration.ZERO, Duration.ofSeconds(1), true, AgentRamp.NONE);
            ReadinessProbe probe = new ReadinessProbe(vertx, app);
            PortHold hold = new PortHold();

            hold.begin(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            assertThat(get(hold.answer(Line.BACKUP, true, probe))).as("backup, held").isEqualTo(200);
            assertThat(get(hold.answer(Line.BACKUP, false, probe))).as("backup closed, held").isEqualTo(503);
            assertThat(get(hold.answer(Line.MAIN, true, probe))).as("main, not answered by the app").isEqualTo(503);

            hold.begin(System.nanoTime() - 1);
            assertThat(get(hold.answer(Line.BACKUP, true, probe))).as("backup past the deadline").isEqualTo(503);
        }
    }

    @Test
    @DisplayName("while held, the backup line of an app whose port is gone is down")
    void portGone() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AppConfig app = new AppConfig("web1", "127.0.0.1", port, 9001, 9101, GateKind.PORT,
                new ReadyCheck("/health", 200, Duration.ofSeconds(5)),
                new RestartSpec(List.of("true"), true, Duration.ofSeconds(1)),
                Duration.ZERO, Duration.ofSeconds(1), true, AgentRamp.NONE);
        PortHold hold = new PortHold();
        hold.begin(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        assertThat(get(hold.answer(Line.BACKUP, true, new ReadinessProbe(vertx, app)))).isEqualTo(503);
    }

    private static int get(Future<Integer> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
