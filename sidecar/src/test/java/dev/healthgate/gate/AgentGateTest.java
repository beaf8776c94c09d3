package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.net.ServerSocket;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The agent gate over real TCP: this test reads the agent's answers as HAProxy's agent check does, and
 * checks what the gate's watch makes of them when a restore follows a {@code maint} or a drain alone.
 */
@DisplayName("The agent gate")
class AgentGateTest {

    /** Long enough that a timed restore (rise x inter + inter = 3 s) cannot pass for an observed one. */
    private static final String TIMING = "haproxy: { inter: 1s, fall: 2, rise: 2 }\n";

    private Vertx vertx;
    private AgentGate gate;
    private int statusPort;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        NetServer app = vertx.createNetServer().connectHandler(s -> s.close()).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try (ServerSocket free = new ServerSocket(0)) {
            statusPort = free.getLocalPort();
        }
        HealthgateConfig config = ConfigLoader.parse(TIMING + """
                apps:
                  - name: web1
                    host: 127.0.0.1
                    port: %d
                    status-port: %d
                    gate: agent
                    ready: { tcp: true }
                    restart: { exec: ["true"] }
                """.formatted(app.actualPort(), statusPort));
        AppConfig web1 = config.apps().get(0);
        gate = new AgentGate(vertx, web1, config.haproxy(), new HaproxyView(List.of()), new ReadinessProbe(vertx, web1));
        await(gate.start());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("after maint, a restore is observed once the agent check has read 'up ready'")
    void restoreAfterMaintIsObserved() throws Exception {
        gate.close(Line.MAIN);
        gate.close(Line.BACKUP);
        assertThat(agentCheck()).isEqualTo("maint");

        Set<Line> opened = open(Line.BACKUP, Line.MAIN);
        Future<String> back = gate.watch().awaitIn(opened, System.nanoTime());
        assertThat(back.isComplete()).as("back in before HAProxy read anything").isFalse();
        assertThat(agentCheck()).isEqualTo("up ready 100%");

        assertThat(await(back)).startsWith("observed 127.0.0.1 in after");
    }

    @Test
    @DisplayName("after a drain alone, a restore waits by the clock: HAProxy's own checks of the app kept running")
    void restoreAfterDrainAloneIsTimed() throws Exception {
        open(Line.BACKUP, Line.MAIN);
        gate.close(Line.MAIN);
        assertThat(agentCheck()).isEqualTo("drain");

        long since = System.nanoTime();
        Set<Line> opened = open(Line.MAIN);
        Future<String> back = gate.watch().awaitIn(opened, since);
        assertThat(agentCheck()).isEqualTo("up ready 100%");

        assertThat(await(back)).isEqualTo("waited rise x inter + inter = 3000 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since)).isGreaterThanOrEqualTo(3000);
    }

    /** Opens the lines in order, as the cycle does, and returns those that were closed. */
    private Set<Line> open(Line... lines) {
        Set<Line> opened = EnumSet.noneOf(Line.class);
        for (Line line : lines) {
            if (gate.open(line)) {
                opened.add(line);
            }
        }
        return opened;
    }

    /**
     * One agent check as HAProxy makes it: connect, read the line the agent sends, until it closes. Connects
     * from a Vert.x context, so that the socket's handlers are set on its event loop before anything is read
     * (from the test's thread, the agent's line and close could arrive before them and be lost).
     */
    private String agentCheck() throws Exception {
        Promise<String> line = Promise.promise();
        vertx.runOnContext(v -> vertx.createNetClient().connect(statusPort, "127.0.0.1").onFailure(line::fail)
                .onSuccess(socket -> {
                    Buffer got = Buffer.buffer();
                    socket.handler(got::appendBuffer);
                    socket.endHandler(end -> line.tryComplete(got.toString().strip()));
                    socket.exceptionHandler(line::tryFail);
                }));
        return await(line.future());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
