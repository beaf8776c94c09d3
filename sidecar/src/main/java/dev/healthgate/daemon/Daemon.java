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
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.JournalException;
import dev.healthgate.cycle.StoppingException;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.config.GateKind;
import dev.healthgate.gate.Found;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateException;
import dev.healthgate.gate.Gates;
import dev.healthgate.gate.NatGate;
import dev.healthgate.metrics.Metrics;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.RestartStrategy;
import dev.healthgate.restart.Restarts;
import dev.healthgate.restart.SuperviseRestart;
import dev.healthgate.state.StateStore;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code healthgate run}: builds each app's gate, restart strategy and probe from the config, finds
 * what the gates have in place, serves the control API and, where configured, puts ready apps into
 * rotation. Apps it supervises are started here and watched: one that dies is brought back
 * ({@link SupervisedRecovery}). On a stop it drains the apps it supervises, then stops them
 * ({@link GracefulStop}); the gates of the other apps stay as they are. A start that fails stops every app
 * it had started, whose gates stay closed.
 *
 * <p>Crash-safe: each app's cycle writes where it stands to the {@code state-dir} ({@link StateStore}); at
 * start healthgate reads it back and decides per app ({@link StartDecision}): a drained app stays drained,
 * one in rotation stays in without a flap, one whose cycle was cut short is restored only once ready. Every
 * {@code healthgate:} nat rule the config does not account for is removed first.
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
            StateStore store = openStore(config);
            removeUnaccountedRules(config, runner);
            List<AppInstance> apps = new ArrayList<>();
            Map<String, SuperviseRestart> processes = new LinkedHashMap<>();
            Map<String, Action> startCycles = new LinkedHashMap<>();
            for (AppConfig app : config.apps()) {
                apps.add(instance(vertx, app, config.haproxy(), view, runner, processes, store, startCycles));
            }
            Metrics metrics = new Metrics(apps);
            Cycle cycle = new Cycle(vertx, new ConnectionCounter(), store);
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
            restoreOnStart(fleet, startCycles);
            return daemon;
        } catch (StartException | RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** Opens the state-dir, and says which apps in it the config no longer has. */
    private static StateStore openStore(HealthgateConfig config) throws StartException {
        StateStore store = new StateStore(config.stateDir());
        try {
            store.open();
            Set<String> names = config.apps().stream().map(AppConfig::name).collect(Collectors.toSet());
            for (String gone : store.others(names)) {
                LOG.info("{}: has a state file in {} but is not in the config: ignored", gone, store.dir());
            }
        } catch (JournalException e) {
            throw new StartException(e.getMessage() + " (set state-dir in the config to a directory healthgate "
                    + "may write)");
        }
        LOG.info("state-dir {}", store.dir());
        return store;
    }

    /**
     * Removes every {@code healthgate:} nat rule that no nat app of the config accounts for. Without a nat app
     * healthgate may lack iptables or the right to run it: then there is nothing it could have left, or remove.
     */
    private static void removeUnaccountedRules(HealthgateConfig config, CommandRunner runner) throws StartException {
        boolean nat = config.apps().stream().anyMatch(a -> a.gate() == GateKind.NAT);
        try {
            NatGate.removeUnaccounted("iptables", runner, config.apps()).forEach(note -> LOG.warn("{}", note));
        } catch (GateException e) {
            if (nat) {
                throw new StartException(natError(e));
            }
            LOG.debug("no nat app, and iptables cannot be read ({}): no stale rules looked for", e.getMessage());
        }
    }

    private static String natError(GateException e) {
        return "the nat gate cannot read or change iptables (it needs root or CAP_NET_ADMIN and the iptables "
                + "program; the port, http-404 and agent gates need neither): " + e.getMessage();
    }

    private static AppInstance instance(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view,
            CommandRunner runner, Map<String, SuperviseRestart> processes, StateStore store,
            Map<String, Action> startCycles) throws StartException {
        ReadinessProbe probe = new ReadinessProbe(vertx, app);
        Gate gate = Gates.create(vertx, app, timing, view, probe, runner);
        RestartStrategy restart;
        try {
            restart = Restarts.create(app, runner);
        } catch (RestartException e) {
            throw new StartException(app.name() + ": " + e.getMessage());
        }
        // a supervised app is started by this healthgate, so it is not running yet: out of rotation until ready
        boolean supervised = restart instanceof SuperviseRestart;
        StartDecision decision;
        try {
            Found found = gate.found();
            decision = StartDecision.decide(store.read(app.name()), found, supervised, app.restoreOnStart());
            LOG.info("{}: {}; {}", app.name(), decision.why(), gate.reconcile(decision.gates()));
        } catch (GateException e) {
            throw new StartException(app.name() + ": " + natError(e));
        } catch (JournalException e) {
            throw new StartException(app.name() + ": " + e.getMessage());
        }
        if (restart instanceof SuperviseRestart process) {
            processes.put(app.name(), process);
        }
        if (decision.cycle() != null) {
            startCycles.put(app.name(), decision.cycle());
        }
        LOG.info("{}: {} (gate {}, restart by {})", app.name(), decision.initial(), app.gate().key(), restart.describe());
        AppInstance instance = new AppInstance(app, gate, restart, probe, decision.initial(), decision.intent(),
                decision.reason());
        instance.interrupted(decision.interrupted());
        return instance;
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
                AppConfig c = app.config();
                throw new StartException(app.name() + ": cannot listen on its status port" + (c.gate().hasBackupLine()
                        ? "s (status-port " + c.statusPort() + ", backup-status-port " + c.backupStatusPort() + ")"
                        : " (status-port " + c.statusPort() + ")") + ": " + cause.getMessage());
            }
        }
    }

    /**
     * Starts the cycle {@link StartDecision} chose for each app (restore-on-start, or a resume of a cycle cut
     * short). An app with a cycle running already (a supervised app that died at once is being recovered, which
     * restores it; or an operator's action through the API, which is listening) is left to that cycle: this
     * never throws BusyException.
     */
    static void restoreOnStart(Fleet fleet, Map<String, Action> cycles) {
        for (AppInstance app : fleet.apps()) {
            Action action = cycles.get(app.name());
            if (action == null) {
                continue;
            }
            LOG.info("{}: {}: waiting until it is ready, then putting it into rotation", app.name(), action.key());
            try {
                fleet.act(app, action, CycleListener.NONE);
            } catch (BusyException | StoppingException e) {
                LOG.info("{}: {} left to the {} running for it", app.name(), action.key(),
                        app.running() == null ? "cycle" : app.running().key());
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
