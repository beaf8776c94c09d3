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
import dev.healthgate.metrics.Metrics;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.ExecRestart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code healthgate run}: builds each app's gate, restart strategy and probe from the config, finds
 * what the gates have in place, serves the control API and, where configured, puts ready apps into
 * rotation. On a clean stop it leaves every gate as it is.
 */
public final class Daemon {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final Vertx vertx;
    private final Fleet fleet;
    private final HttpServer server;

    private Daemon(Vertx vertx, Fleet fleet, HttpServer server) {
        this.vertx = vertx;
        this.fleet = fleet;
        this.server = server;
    }

    /** Starts everything; fails (having changed nothing but reconciled rules) with a clear reason. */
    public static Daemon start(HealthgateConfig config) throws StartException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8));
        try {
            CommandRunner runner = new CommandRunner();
            HaproxyView view = new HaproxyView(config.haproxy().nodes());
            List<AppInstance> apps = new ArrayList<>();
            for (AppConfig app : config.apps()) {
                apps.add(instance(vertx, app, config.haproxy(), view, runner));
            }
            Metrics metrics = new Metrics(apps);
            Cycle cycle = new Cycle(vertx, new ConnectionCounter());
            Fleet fleet = new Fleet(apps, cycle, metrics);
            startGates(apps);
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
            Daemon daemon = new Daemon(vertx, fleet, server);
            daemon.restoreOnStart();
            return daemon;
        } catch (StartException | RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    private static AppInstance instance(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view,
            CommandRunner runner) throws StartException {
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
        CycleState initial = status.main() ? CycleState.IN_ROTATION : CycleState.OUT_OF_ROTATION;
        LOG.info("{}: {} (gate {}, restart by {})", app.name(), initial, app.gate().key(),
                new ExecRestart(app.restart(), runner).describe());
        return new AppInstance(app, gate, new ExecRestart(app.restart(), runner), probe, initial);
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
                fleet.act(app, Action.RESTORE, CycleListener.NONE);
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
        return vertx.close();
    }
}
