package dev.healthgate.daemon;

import dev.healthgate.api.ControlApi;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.ConnectionCounter;
import dev.healthgate.cycle.Cycle;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.StoppingException;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateException;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Gates;
import dev.healthgate.gate.Line;
import dev.healthgate.metrics.Metrics;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.RestartStrategy;
import dev.healthgate.restart.Restarts;
import dev.healthgate.restart.SuperviseRestart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code healthgate run}: builds each app's gate, restart strategy and probe from the config, finds
 * what the gates have in place, serves the control API and, where configured, puts ready apps into
 * rotation. Apps it supervises are started here and watched: one that dies is brought back
 * ({@link SupervisedRecovery}). On a stop it drains the apps it supervises, then stops them
 * ({@link GracefulStop}); the gates of the other apps stay as they are. A start that fails stops every app
 * it had started, whose gates stay closed.
 */
public final class Daemon {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final Vertx vertx;
    private final Fleet fleet;
    private final HttpServer server;
    private final GracefulStop stop;

    private Daemon(Vertx vertx, Fleet fleet, HttpServer server, GracefulStop stop) {
        this.vertx = vertx;
        this.fleet = fleet;
        this.server = server;
        this.stop = stop;
    }

    /**
     * Diagnostics ({@code scripts/bench-health}): {@code -Dhealthgate.blocked-warn-ms=N} makes Vert.x warn
     * ("has been blocked for", with the thread's stack) when an event loop runs one task longer than N ms,
     * instead of 2 s.
     */
    private static VertxOptions blockedThreadWarnings(VertxOptions options) {
        long ms = Long.getLong("healthgate.blocked-warn-ms", 0);
        if (ms > 0) {
            options.setMaxEventLoopExecuteTime(ms).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                    .setBlockedThreadCheckInterval(Math.max(10, ms / 2))
                    .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                    .setWarningExceptionTime(ms).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
        }
        return options;
    }

    /** Starts everything; fails (having changed nothing but reconciled rules) with a clear reason. */
    public static Daemon start(HealthgateConfig config) throws StartException {
        Vertx vertx = Vertx.vertx(
                blockedThreadWarnings(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8)));
        try {
            CommandRunner runner = new CommandRunner();
            HaproxyView view = new HaproxyView(config.haproxy().nodes(), config.haproxy().forgetNodeAfter());
            List<AppInstance> apps = new ArrayList<>();
            Map<String, SuperviseRestart> processes = new LinkedHashMap<>();
            for (AppConfig app : config.apps()) {
                apps.add(instance(vertx, app, config.haproxy(), view, runner, processes));
            }
            Metrics metrics = new Metrics(apps);
            Cycle cycle = new Cycle(vertx, new ConnectionCounter());
            Fleet fleet = new Fleet(apps, cycle, metrics);
            startGates(apps);
            Map<String, SupervisedRecovery> supervised = startSupervised(vertx, fleet, processes);
            HttpServer server;
            try {
                server = new ControlApi(vertx, config.control(), fleet, view, metrics.registry()).listen()
                        .toCompletionStage().toCompletableFuture().join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new StartException("cannot listen on control.listen " + config.control().host() + ":"
                        + config.control().port() + ": " + cause.getMessage()
                        + abandon(fleet, supervised.values()));
            }
            LOG.info("control API listening on {}", config.control().url());
            Daemon daemon = new Daemon(vertx, fleet, server, new GracefulStop(fleet, config.haproxy(), supervised));
            daemon.restoreOnStart();
            return daemon;
        } catch (StartException | RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    private static AppInstance instance(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view,
            CommandRunner runner, Map<String, SuperviseRestart> processes) throws StartException {
        ReadinessProbe probe = new ReadinessProbe(vertx, app);
        Gate gate = Gates.create(vertx, app, timing, view, probe, runner);
        GateStatus status;
        try {
            LOG.info("{}: {}", app.name(), gate.reconcile());
            status = gate.status();
        } catch (GateException e) {
            throw new StartException(app.name() + ": the nat gate cannot read or change iptables (it needs root "
                    + "or CAP_NET_ADMIN and the iptables program; the port, http-404 and agent gates need "
                    + "neither): " + e.getMessage());
        }
        RestartStrategy restart;
        try {
            restart = Restarts.create(app, runner);
        } catch (RestartException e) {
            throw new StartException(app.name() + ": " + e.getMessage());
        }
        if (restart instanceof SuperviseRestart process) {
            processes.put(app.name(), process);
            // healthgate starts this app itself, so it is not running yet: out of rotation until ready
            try {
                gate.close(Line.MAIN);
                gate.close(Line.BACKUP);
                status = gate.status();
            } catch (GateException e) {
                throw new StartException(app.name() + ": cannot close the gates before starting the app: "
                        + e.getMessage());
            }
        }
        CycleState initial = status.main() ? CycleState.IN_ROTATION : CycleState.OUT_OF_ROTATION;
        LOG.info("{}: {} (gate {}, restart by {})", app.name(), initial, app.gate().key(), restart.describe());
        return new AppInstance(app, gate, restart, probe, initial);
    }

    /**
     * Starts the apps healthgate supervises and watches them for exits it did not ask for. One that cannot
     * be started stops healthgate, and the ones started before it are stopped.
     */
    private static Map<String, SupervisedRecovery> startSupervised(Vertx vertx, Fleet fleet,
            Map<String, SuperviseRestart> processes) throws StartException {
        Map<String, SupervisedRecovery> supervised = new LinkedHashMap<>();
        for (AppInstance app : fleet.apps()) {
            SuperviseRestart process = processes.get(app.name());
            if (process != null) {
                supervised.put(app.name(), new SupervisedRecovery(vertx, fleet, app, process));
                try {
                    process.start();
                } catch (RestartException e) {
                    throw new StartException(app.name() + ": " + e.getMessage() + abandon(fleet, supervised.values()));
                }
            }
        }
        return supervised;
    }

    /**
     * A start that failed once supervised apps were started: nothing more is taken on, they are stopped
     * (in parallel, each within its stop-timeout), and their gates stay closed, as {@link #instance} left them
     * (they were never put into rotation). Returns what the error adds to say so.
     */
    private static String abandon(Fleet fleet, Collection<SupervisedRecovery> started) {
        fleet.stop();
        started.forEach(SupervisedRecovery::stop);
        List<Thread> stoppers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (SupervisedRecovery recovery : started) {
            names.add(recovery.name());
            Thread t = new Thread(() -> {
                try {
                    recovery.process().stop();
                } catch (RestartException e) {
                    LOG.warn("{}", e.getMessage());
                }
            }, "healthgate-abandon-" + recovery.name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join(); // bounded: stop() gives up after stop-timeout and the wait after SIGKILL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return names.isEmpty() ? "" : "; stopped the apps it had started (" + String.join(", ", names)
                + "), whose gates stay closed";
    }

    /** Starts the gates' own listeners; a status port that cannot be bound stops healthgate here. */
    private static void startGates(List<AppInstance> apps) throws StartException {
        for (AppInstance app : apps) {
            try {
                app.startGate().toCompletionStage().toCompletableFuture().join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new StartException(app.name() + ": " + cause.getMessage());
            }
        }
    }

    private void restoreOnStart() {
        restoreOnStart(fleet);
    }

    /**
     * Starts a restore-on-start cycle for each app that wants one. An app with a cycle running already (a
     * supervised app that died at once is being recovered, which restores it; or an operator's action
     * through the API, which is listening) is left to that cycle: this never throws BusyException.
     */
    static void restoreOnStart(Fleet fleet) {
        for (AppInstance app : fleet.apps()) {
            if (app.config().restoreOnStart() && app.state() != CycleState.IN_ROTATION) {
                LOG.info("{}: restore-on-start: waiting until it is ready, then putting it into rotation",
                        app.name());
                try {
                    fleet.act(app, Action.RESTORE_ON_START, CycleListener.NONE);
                } catch (BusyException | StoppingException e) {
                    LOG.info("{}: restore-on-start left to the {} running for it", app.name(),
                            app.running() == null ? "cycle" : app.running().key());
                }
            }
        }
    }

    public Fleet fleet() {
        return fleet;
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * Stops: no new actions, each supervised app drained and then stopped, all in parallel
     * ({@link GracefulStop}); the other apps' gates stay as they are. Then Vert.x closes.
     */
    public Future<Void> stop() {
        // the apps are stopped on threads of their own, not Vert.x ones: Vert.x closes once they are down
        return Future.fromCompletionStage(stop.run()).transform(ar -> vertx.close());
    }

    /** How long {@link #stop()} may take ({@link GracefulStop#budget}): in parallel, the slowest app. */
    public Duration stopTimeout() {
        return stop.budget();
    }
}
