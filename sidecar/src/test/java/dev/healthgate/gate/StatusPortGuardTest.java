package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.HaproxyView.Goal;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * healthgate's own status and agent ports over real TCP and HTTP, against a real app: what a forged
 * header, a foreign source and a flood can and cannot do. "HAProxy" checks from 127.0.0.1; the foreign
 * host is 127.0.0.2 (every 127/8 address is local on Linux).
 */
@DisplayName("Status and agent ports under forged checks, foreign sources and floods")
class StatusPortGuardTest {

    private static final String HAPROXY = "127.0.0.1";
    private static final String FOREIGN = "127.0.0.2";

    private Vertx vertx;
    private int appPort;
    private final AtomicInteger appRequests = new AtomicInteger();

    @BeforeEach
    void startApp() throws Exception {
        vertx = Vertx.vertx();
        HttpServer app = vertx.createHttpServer().requestHandler(req -> {
            appRequests.incrementAndGet();
            req.response().end("ok");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        appPort = app.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a forged header naming another server line neither ends a drain nor invents a node")
    void forgedHeaderDoesNotEndADrain() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        Setup s = http404("", view);
        s.gate().open(Line.BACKUP); // main closed: 404, the drain of sticky clients
        long since = System.nanoTime();
        Future<String> idle = s.gate().watch().awaitIdle(since);

        assertThat(httpCheck(HAPROXY, s.port(), "UP; name=app/web1; node=lb1; scur=5/9; qcur=0")).isEqualTo(404);
        assertThat(httpCheck(HAPROXY, s.port(), "NOLB; name=app/evil; node=lb1; scur=0/0; qcur=0")).isEqualTo(404);
        assertThat(httpCheck(HAPROXY, s.port(), "NOLB; name=app/evil; node=lb9; scur=0/0; qcur=0")).isEqualTo(404);

        assertThat(view.pending("web1", Line.MAIN, Goal.IDLE, since, Set.of("lb1")))
                .as("lb1 still has 5 sessions: the forged scur=0 was ignored").containsExactly("lb1");
        assertThat(view.nodes("web1", System.nanoTime())).as("the invented node lb9 is not waited on")
                .containsExactly("lb1");
        assertThat(idle.isComplete()).as("drain ended by a forged header").isFalse();

        assertThat(httpCheck(HAPROXY, s.port(), "NOLB; name=app/web1; node=lb1; scur=0/9; qcur=0")).isEqualTo(404);
        assertThat(await(idle)).isEqualTo("observed lb1 idle");
    }

    @Test
    @DisplayName("outside haproxy.sources, a status check and an agent check are closed unanswered and never become a node; HAProxy's are answered, check after check")
    void foreignSourceIsRefused() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        Setup http = http404(", sources: [127.0.0.1/32]", view);
        Setup agent = agent(", sources: [127.0.0.1/32]", view);
        http.gate().open(Line.BACKUP);
        http.gate().open(Line.MAIN);

        assertThat(exchange(FOREIGN, http.port(), request("UP; name=app/web1; node=lb1; scur=0"))).as("answer")
                .isEmpty();
        assertThat(exchange(FOREIGN, agent.port(), "")).as("agent answer").isEmpty();
        assertThat(view.reports("web1")).as("reports from a foreign source").isEmpty();
        assertThat(view.nodes("web2", System.nanoTime())).isEmpty();

        // More checks than one address may hold at once: each answered check gives its slot back.
        for (int i = 0; i <= CheckGuard.MAX_PER_SOURCE * 2; i++) {
            assertThat(httpCheck(HAPROXY, http.port(), "UP; name=app/web1; node=lb1; scur=0")).isEqualTo(200);
            assertThat(exchange(HAPROXY, agent.port(), "")).as("agent check %d", i)
                    .isEqualTo("maint\n"); // web2's gates are closed
        }
    }

    @Test
    @DisplayName("while a foreign host floods a status port with checks and idle connections, HAProxy never sees two checks in a row fail its timeout check (1 s), and no idle connection is kept")
    void floodDoesNotDelayHaproxy() throws Exception {
        HaproxyView view = new HaproxyView(List.of());
        Setup s = http404("", view); // no haproxy.sources: only the connection limits and coalescing protect
        s.gate().open(Line.BACKUP);
        s.gate().open(Line.MAIN);
        assertThat(httpCheck(HAPROXY, s.port(), "UP; name=app/web1; node=lb1; scur=0")).as("before the flood")
                .isEqualTo(200); // and the first probe's client set-up is not counted below
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger floodChecks = new AtomicInteger();
        ExecutorService flood = Executors.newFixedThreadPool(5);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) { // idle connections that never send a byte (bounded: 200)
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(FOREIGN, 0));
                socket.connect(new InetSocketAddress("127.0.0.1", s.port()), 1000);
                idle.add(socket);
            }
            long floodEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            for (int t = 0; t < 4; t++) {
                flood.submit(() -> {
                    while (flooding.get() && System.nanoTime() < floodEnd) {
                        exchange(FOREIGN, s.port(), request("UP; name=app/web1; node=evil; scur=0"));
                        floodChecks.incrementAndGet();
                    }
                    return null;
                });
            }
            // HAProxy takes a line out after `fall` (2) failed checks in a row; an answer later than the
            // template's `timeout check 1s` is a failed check. So: never two late answers in a row. (On an idle
            // machine these checks take a few ms; a machine shared with builds may delay a single one.)
            int lateInARow = 0;
            int mostLateInARow = 0;
            List<Long> ms = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                assertThat(httpCheck(HAPROXY, s.port(), "UP; name=app/web1; node=lb1; scur=0")).isEqualTo(200);
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                ms.add(took);
                lateInARow = took >= 1000 ? lateInARow + 1 : 0;
                mostLateInARow = Math.max(mostLateInARow, lateInARow);
            }
            assertThat(mostLateInARow).as("most checks in a row answered later than 1 s, of %s ms", ms)
                    .isLessThan(2);
            assertThat(floodChecks.get()).as("flood checks sent").isGreaterThan(20);
            assertThat(appRequests.get()).as("probes of the app: coalesced, not one per flood check")
                    .isLessThan(floodChecks.get() + 20);
            // Beyond the 16 a source may hold, idle connections are closed at once; those 16 after the idle
            // timeout (2 s): none is left holding a slot.
            assertThat(closedByServer(idle, TimeUnit.SECONDS.toNanos(10))).as("idle connections closed by the server")
                    .isEqualTo(idle.size());
        } finally {
            flooding.set(false);
            flood.shutdown();
            assertThat(flood.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    /** How many of {@code sockets} the server has closed, polled until all of them or {@code withinNanos}. */
    private static int closedByServer(List<Socket> sockets, long withinNanos) throws IOException {
        Set<Socket> closed = new java.util.HashSet<>();
        long deadline = System.nanoTime() + withinNanos;
        while (closed.size() < sockets.size() && System.nanoTime() < deadline) {
            for (Socket socket : sockets) {
                if (closed.contains(socket)) {
                    continue;
                }
                socket.setSoTimeout(1);
                try {
                    if (socket.getInputStream().read() < 0) {
                        closed.add(socket);
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // still open
                } catch (IOException e) {
                    closed.add(socket); // reset
                }
            }
        }
        return closed.size();
    }

    private record Setup(FlagGate gate, int port) {
    }

    private Setup http404(String haproxyExtra, HaproxyView view) throws Exception {
        int port = freePort();
        HealthgateConfig config = parse("""
                  - { name: web1, port: %d, status-port: %d, status-listen: 127.0.0.1, gate: http-404,
                      ready: { http: /health }, restart: { exec: ["true"] } }
                """.formatted(appPort, port), haproxyExtra);
        AppConfig app = config.apps().get(0);
        Http404Gate gate = new Http404Gate(vertx, app, config.haproxy(), view, new ReadinessProbe(vertx, app));
        await(gate.start());
        return new Setup(gate, port);
    }

    private Setup agent(String haproxyExtra, HaproxyView view) throws Exception {
        int port = freePort();
        HealthgateConfig config = parse("""
                  - { name: web2, port: %d, status-port: %d, status-listen: 127.0.0.1, gate: agent,
                      ready: { tcp: true }, restart: { exec: ["true"] } }
                """.formatted(appPort, port), haproxyExtra);
        AppConfig app = config.apps().get(0);
        AgentGate gate = new AgentGate(vertx, app, config.haproxy(), view, new ReadinessProbe(vertx, app));
        await(gate.start());
        return new Setup(gate, port);
    }

    private static HealthgateConfig parse(String appYaml, String haproxyExtra) {
        return ConfigLoader.parse("haproxy: { inter: 100ms, fall: 2, rise: 2" + haproxyExtra + " }\napps:\n" + appYaml);
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static String request(String state) {
        return "GET /health HTTP/1.1\r\nHost: healthgate\r\nX-Haproxy-Server-State: " + state
                + "\r\nConnection: close\r\n\r\n";
    }

    /** One HAProxy-style HTTP check from {@code source}: the status answered. */
    private static int httpCheck(String source, int port, String state) throws IOException {
        String answer = exchange(source, port, request(state));
        assertThat(answer).as("answer from port %d", port).startsWith("HTTP/1.1 ");
        return Integer.parseInt(answer.substring(9, 12));
    }

    /** Connects from {@code source}, sends {@code text}, reads until the other side closes (10 s at most). */
    private static String exchange(String source, int port, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(10_000); // a deadline on a loaded machine; latency is asserted where it matters
            OutputStream out = socket.getOutputStream();
            try {
                out.write(text.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                return ""; // closed before we wrote: refused
            }
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.net.SocketException e) {
                return ""; // reset: refused
            }
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
