package dev.healthgate.daemon;

import dev.healthgate.api.ControlApi;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.ConnectionCounter;
import dev.healthgate.cycle.Cycle;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Fleet;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code healthgate run}: builds each app's gate, restart strategy and probe from the config, finds
 * what the gates have in place, serves the control API and, where configured, puts ready apps into
 * rotation. Apps it supervises are started here and watched: one that dies is brought back
 * ({@link SupervisedRecovery}). On a clean stop it leaves every gate as it is and stops the apps it
 * supervises.
 */
public final class Daemon {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final Vertx vertx;
    private final Fleet fleet;
    private final HttpServer server;
    private final List<SupervisedRecovery> supervised;

    private Daemon(Vertx vertx, Fleet fleet, HttpServer server, List<SupervisedRecovery> supervised) {
        this.vertx = vertx;
        this.fleet = fleet;
        this.server = server;
        this.supervised = supervised;
    }

    /** Starts everything; fails (having changed nothing but reconciled rules) with a clear reason. */
    public static Daemon start(HealthgateConfig config) throws StartException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8));
        try {
            CommandRunner runner = new CommandRunner();
            HaproxyView view = new HaproxyView(config.haproxy().nodes());
            List<AppInstance> apps = new ArrayList<>();
            Map<String, SuperviseRestart> processes = new LinkedHashMap<>();
            for (AppConfig app : config.apps()) {
                apps.add(instance(vertx, app, config.haproxy(), view, runner, processes));
            }
            Metrics metrics = new Metrics(apps);
            Cycle cycle = new Cycle(vertx, new ConnectionCounter());
            Fleet fleet = new Fleet(apps, cycle, metrics);
            startGates(apps);
            List<SupervisedRecovery> supervised = startSupervised(vertx, fleet, processes);
            HttpServer server;
            try {
                server = new ControlApi(vertx, config.control(), fleet, view, metrics.registry()).listen()
                        .toCompletionStage().toCompletableFuture().join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new StartException("cannot listen on control.listen " + config.control().host() + ":"
                        + config.control().port() + ": " + cause.getMessage());
            }
            LOG.info("control API listening on {}", config.control().url());
            Daemon daemon = new Daemon(vertx, fleet, server, supervised);
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

    /** Starts the apps healthgate supervises and watches them for exits it did not ask for. */
    private static List<SupervisedRecovery> startSupervised(Vertx vertx, Fleet fleet,
            Map<String, SuperviseRestart> processes) throws StartException {
        List<SupervisedRecovery> supervised = new ArrayList<>();
        for (AppInstance app : fleet.apps()) {
            SuperviseRestart process = processes.get(app.name());
            if (process != null) {
                supervised.add(new SupervisedRecovery(vertx, fleet, app, process));
                try {
                    process.start();
                } catch (RestartException e) {
                    for (SuperviseRestart started : processes.values()) {
                        stopQuietly(started);
                    }
                    throw new StartException(app.name() + ": " + e.getMessage());
                }
            }
        }
        return supervised;
    }

    private static void stopQuietly(SuperviseRestart process) {
        try {
            process.stop();
        } catch (RestartException e) {
            LOG.warn("{}", e.getMessage());
        }
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
        for (AppInstance app : fleet.apps()) {
            if (app.config().restoreOnStart() && app.state() != CycleState.IN_ROTATION) {
                LOG.info("{}: restore-on-start: waiting until it is ready, then putting it into rotation",
                        app.name());
                fleet.act(app, Action.RESTORE_ON_START, CycleListener.NONE);
            }
        }
    }

    public Fleet fleet() {
        return fleet;
    }

    public int port() {
        return server.actualPort();
    }

    /** Stops serving; gates stay as they are. Reports any cycle cut short. */
    public Future<Void> stop() {
        for (AppInstance app : fleet.apps()) {
            if (app.running() != null) {
                LOG.warn("{}: stopping during a {}: its gates stay as they are now (state {})", app.name(),
                        app.running().key(), app.state());
            }
        }
        for (SupervisedRecovery recovery : supervised) {
            recovery.stop();
        }
        // on a thread of its own, not a Vert.x one: Vert.x closes once the apps are down
        CompletableFuture<Void> appsStopped = new CompletableFuture<>();
        Thread stopper = new Thread(() -> {
            for (SupervisedRecovery recovery : supervised) {
                stopQuietly(recovery.process());
            }
            appsStopped.complete(null);
        }, "healthgate-stop-apps");
        stopper.start();
        return Future.fromCompletionStage(appsStopped).transform(ar -> vertx.close());
    }

    /**
     * How long {@link #stop()} may take: the apps healthgate supervises get their stop-timeout, then
     * SIGKILL.
     */
    public Duration stopTimeout() {
        Duration longest = Duration.ZERO;
        for (AppInstance app : fleet.apps()) {
            if (app.config().restart().supervise() != null
                    && app.config().restart().supervise().stopTimeout().compareTo(longest) > 0) {
                longest = app.config().restart().supervise().stopTimeout();
            }
        }
        return longest.plusSeconds(10);
    }
}
