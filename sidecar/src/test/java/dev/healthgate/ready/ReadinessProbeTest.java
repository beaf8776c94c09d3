package dev.healthgate.ready;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The probe against a real HTTP app: coalesced health probes, and a ready wait that stops when told. */
@DisplayName("Probing an app")
class ReadinessProbeTest {

    private Vertx vertx;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private ReadinessProbe probe;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        int port = vertx.createHttpServer().requestHandler(req -> {
            requests.incrementAndGet();
            vertx.setTimer(200, t -> req.response().setStatusCode(status).end()); // a slow health page
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).actualPort();
        probe = new ReadinessProbe(vertx, ConfigLoader.parse("""
                apps:
                  - { name: web1, port: %d, status-port: 19001, gate: http-404, ready: { http: /health },
                      restart: { exec: ["true"] } }
                """.formatted(port)).apps().get(0));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("50 checks at once share one probe of the app, and all get its answer")
    void concurrentHealthChecksShareOneProbe() throws Exception {
        Promise<List<Integer>> all = Promise.promise();
        vertx.runOnContext(v -> {
            List<Future<Integer>> checks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                checks.add(probe.healthStatus());
            }
            Future.all(checks).map(f -> f.<Integer>list()).onComplete(all);
        });
        assertThat(await(all.future())).hasSize(50).containsOnly(200);
        assertThat(requests.get()).as("requests the app saw").isEqualTo(1);

        status = 503;
        TimeUnit.MILLISECONDS.sleep(ReadinessProbe.REUSE_NANOS / 1_000_000 + 1); // past the reuse window
        assertThat(await(probe.healthStatus())).as("a later check probes again").isEqualTo(503);
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("a ready wait stops probing as soon as the wait it serves has ended, not at its timeout")
    void readyWaitStopsWhenTheCycleEnds() throws Exception {
        status = 503;
        Promise<Void> cycle = Promise.promise();
        Future<Void> ready = probe.awaitReady(Duration.ofSeconds(30), cycle.future());
        vertx.setTimer(300, t -> cycle.tryFail("the restarted process exited"));

        assertThatThrownBy(() -> await(ready)).hasMessageContaining("stopped waiting for web1 to be ready");
        int seen = requests.get();
        Promise<Void> later = Promise.promise();
        vertx.setTimer(500, t -> later.complete()); // five poll intervals
        await(later.future());
        assertThat(requests.get()).as("probes after the wait ended").isEqualTo(seen);
    }

    private static <T> T await(Future<T> f) throws Exception {
        try {
            return f.toCompletionStage().toCompletableFuture().get(40, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
