package dev.healthgate.api;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.ControlConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.ReadyCheck;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.ConnectionCounter;
import dev.healthgate.cycle.Cycle;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.TimedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartStrategy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real control API on a real port (0, read back), over a fleet of apps whose gates are in memory and
 * record every flip, whose restart is a no-op, and whose readiness is a real TCP connect to a real
 * listener. The timing makes a drain take about 300 ms, so parallel requests meet a running cycle.
 */
final class ApiFixture implements AutoCloseable {

    static final HaproxyTiming TIMING = new HaproxyTiming(Duration.ofMillis(100), Duration.ofMillis(100),
            Duration.ofMillis(100), 2, 2, 0, "127.0.0.1:1", "app", List.of());

    final Vertx vertx = Vertx.vertx();
    final Fleet fleet;
    final HttpServer server;
    /** Every gate flip of every app, "web1 close main", in the order they happened. */
    final List<String> flips = new CopyOnWriteArrayList<>();
    private final NetServer app;

    ApiFixture(String token, String... names) throws Exception {
        this(token, ConnectionLimits.MAX_CONNECTIONS, ConnectionLimits.IDLE, names);
    }

    ApiFixture(String token, int maxConnections, Duration idle, String... names) throws Exception {
        app = vertx.createNetServer().connectHandler(s -> s.close()).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        List<AppInstance> apps = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            AppConfig config = new AppConfig(names[i], "127.0.0.1", app.actualPort(), 9001 + i, 9101 + i,
                    GateKind.PORT, new ReadyCheck(null, 200, Duration.ofSeconds(2)),
                    new RestartSpec(List.of("true"), false, Duration.ofSeconds(1)), Duration.ZERO,
                    Duration.ofSeconds(1), true, AgentRamp.NONE);
            apps.add(new AppInstance(config, new MemoryGate(names[i], flips, new TimedWatch(vertx, TIMING)),
                    new NoRestart(), new ReadinessProbe(vertx, config), CycleState.IN_ROTATION));
        }
        fleet = new Fleet(apps, new Cycle(vertx, new ConnectionCounter()), CycleListener.NONE);
        ControlApi api = new ControlApi(vertx, new ControlConfig("127.0.0.1", 0, token), fleet,
                new HaproxyView(List.of()), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new ConnectionLimits(vertx, maxConnections, idle));
        server = api.listen().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    RawHttp http() {
        return new RawHttp(port());
    }

    /** Closes Vert.x, bounded; unchecked, so try-with-resources needs no InterruptedException handling. */
    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Vert.x did not close within 5 s", e);
        }
    }

    private static final class NoRestart implements RestartStrategy {
        @Override
        public void restart() {
        }

        @Override
        public String describe() {
            return "nothing (test)";
        }
    }

    /** A gate in memory that appends each real flip to the shared list. */
    private static final class MemoryGate implements Gate {
        private final String app;
        private final List<String> flips;
        private final Watch watch;
        private final Map<Line, Boolean> open = new ConcurrentHashMap<>(Map.of(Line.MAIN, true, Line.BACKUP, true));

        MemoryGate(String app, List<String> flips, Watch watch) {
            this.app = app;
            this.flips = flips;
            this.watch = watch;
        }

        @Override
        public synchronized boolean open(Line line) {
            return flip(line, true);
        }

        @Override
        public synchronized boolean close(Line line) {
            return flip(line, false);
        }

        private boolean flip(Line line, boolean to) {
            boolean changed = open.put(line, to) != to;
            if (changed) {
                flips.add(app + " " + (to ? "open " : "close ") + line.key());
            }
            return changed;
        }

        @Override
        public GateStatus status() {
            return new GateStatus(open.get(Line.MAIN), open.get(Line.BACKUP));
        }

        @Override
        public String reconcile(GateStatus wanted) {
            return "in memory";
        }

        @Override
        public Watch watch() {
            return watch;
        }
    }
}
