package dev.healthgate.cycle;

import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.TimedWatch;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the cycle's unit tests share: a Vert.x instance, a real TCP port that accepts (a ready app), the
 * event list the {@link RecordingGate} and fake restarts append to, and fast HAProxy timing.
 */
abstract class CycleFixture {

    static final HaproxyTiming FAST = new HaproxyTiming(Duration.ofMillis(20), Duration.ofMillis(20),
            Duration.ofMillis(20), 2, 2, 0, "127.0.0.1:1", "app", List.of());

    Vertx vertx;
    NetServer app;
    final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startApp() throws Exception {
        vertx = Vertx.vertx();
        app = vertx.createNetServer().connectHandler(s -> s.close()).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    RecordingGate recordingGate() {
        return new RecordingGate(events, new TimedWatch(vertx, FAST));
    }

    /** Runs one action to its end, bounded. */
    CycleResult run(AppInstance instance, Action action, Duration bound) throws Exception {
        Cycle cycle = new Cycle(vertx, new ConnectionCounter(List.of()));
        return cycle.run(instance, action, CycleListener.NONE).toCompletionStage().toCompletableFuture()
                .get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }
}
