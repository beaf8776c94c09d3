package dev.healthgate.daemon;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleResult;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.SuperviseRestart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * healthgate's stop (SIGTERM, {@code systemctl stop}). At once no new action is taken (the control API
 * answers 503) and a cycle running now finishes the drain phase it is in but goes no further (it ends
 * FAILED, gates closed, saying healthgate is stopping). Then each app healthgate supervises is taken out
 * as a port-closing restart would ({@link Action#STOP}: drain, sticky-grace, drain-backup, connections),
 * and only then stopped: HAProxy has moved its new and sticky clients before its port closes. Should the
 * drain fail (HAProxy not checking) both gates are closed and the app is stopped all the same.
 *
 * <p>Apps are stopped in parallel, one thread each, so a stop takes as long as its slowest app, not the
 * sum: at most {@link #budget} (each app: a running cycle waited for, its drain, its stop-timeout and the
 * wait after SIGKILL). Apps healthgate does not supervise are only waited for while a cycle runs; their
 * gates stay as they are.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    /** Slack for one drain's gate flips and reads (iptables runs, worker hand-offs). */
    private static final Duration GATE_CALLS = Duration.ofSeconds(2);
    /** How long {@link SuperviseRestart#stop()} waits after SIGKILL. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final long POLL_MS = 50;

    private final Fleet fleet;
    private final HaproxyTiming timing;
    private final Map<String, SupervisedRecovery> supervised;

    GracefulStop(Fleet fleet, HaproxyTiming timing, Map<String, SupervisedRecovery> supervised) {
        this.fleet = fleet;
        this.timing = timing;
        this.supervised = Map.copyOf(supervised);
    }

    /** Runs the stop; completes when every app is done with (each bounded, see {@link #budget}). */
    CompletableFuture<Void> run() {
        fleet.stop();
        supervised.values().forEach(SupervisedRecovery::stop);
        List<String> names = fleet.apps().stream().map(AppInstance::name).filter(supervised::containsKey).toList();
        LOG.info("stopping: no new actions; draining {} in parallel, then stopping {} (at most {} ms); the gates "
                        + "of the apps healthgate does not supervise stay as they are", names, names.size() == 1
                        ? "it" : "them", budget().toMillis());
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (AppInstance app : fleet.apps()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    stopOne(app);
                } finally {
                    done.complete(null);
                }
            }, "healthgate-stop-" + app.name());
            t.setDaemon(true);
            t.start();
            each.add(done);
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    }

    private void stopOne(AppInstance app) {
        SupervisedRecovery recovery = supervised.get(app.name());
        long waitUntil = System.nanoTime() + waitBound(app.config(), timing).toNanos();
        if (recovery == null) {
            if (!awaitNoCycle(app, waitUntil)) {
                LOG.warn("{}: its {} did not end in time: its gates stay as they are now (state {})", app.name(),
                        app.running().key(), app.state());
            }
            return;
        }
        drain(app, waitUntil);
        try {
            recovery.process().stop();
        } catch (RestartException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    /** Runs the STOP drain once no other cycle runs for the app; whatever it ends with, the app is stopped next. */
    private void drain(AppInstance app, long waitUntil) {
        while (true) {
            if (!awaitNoCycle(app, waitUntil)) {
                LOG.warn("{}: its {} did not end in time: stopping the app with its gates as they are now (state {})",
                        app.name(), app.running().key(), app.state());
                return;
            }
            Duration bound = drainBound(app.config(), timing);
            try {
                CycleResult r = fleet.act(app, Action.STOP, CycleListener.NONE).toCompletionStage()
                        .toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
                if (!r.ok()) {
                    LOG.warn("{}: the drain before its stop failed ({}): its gates are closed; stopping it anyway",
                            app.name(), r.reason());
                }
                return;
            } catch (BusyException e) {
                // a cycle began between the check and ours (an action taken just before the stop): wait for it
            } catch (TimeoutException e) {
                LOG.warn("{}: the drain before its stop did not end within {} ms (state {}): stopping it anyway",
                        app.name(), bound.toMillis(), app.state());
                return;
            } catch (ExecutionException e) {
                LOG.warn("{}: the drain before its stop failed ({}): stopping it anyway", app.name(), e.getCause());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits until no cycle runs for the app, or the deadline passes; returns whether none runs. */
    private static boolean awaitNoCycle(AppInstance app, long deadline) {
        if (app.running() != null) {
            LOG.info("{}: a {} is running: waiting for it to end (it goes no further than its drain)", app.name(),
                    app.running().key());
        }
        while (app.running() != null) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** {@link #budget(Collection, HaproxyTiming)} of this healthgate's apps. */
    Duration budget() {
        return budget(fleet.apps(), timing);
    }

    /**
     * The longest a stop may take: the slowest app's {@link #waitBound} (a cycle running when the stop began)
     * plus, for a supervised app, its {@link #drainBound} and its {@link #haltBound}, and a margin. Apps are
     * stopped in parallel, so this does not grow with their number. With the defaults (inter 500ms, fall 2,
     * sticky-grace 5s, drain-timeout 30s, stop-timeout 30s) 157 s; a stop without a cycle running and with
     * an app that stops on TERM takes about the drain: fall x inter, sticky-grace, fall x inter, and the
     * requests still in flight.
     */
    static Duration budget(Collection<AppInstance> apps, HaproxyTiming timing) {
        Duration longest = Duration.ZERO;
        for (AppInstance app : apps) {
            AppConfig config = app.config();
            Duration one = waitBound(config, timing);
            if (config.restart().supervise() != null) {
                one = one.plus(drainBound(config, timing)).plus(haltBound(config));
            }
            longest = one.compareTo(longest) > 0 ? one : longest;
        }
        return longest.plus(MARGIN);
    }

    /**
     * How long the STOP drain may take, from the bounds of its phases: each line's out wait (fall x inter
     * plus one inter, plus one inter of slack), sticky-grace, drain-timeout for the connections, and slack
     * for the gate calls.
     */
    static Duration drainBound(AppConfig app, HaproxyTiming timing) {
        return timing.outAfter().plus(timing.inter()).plus(timing.inter()).multipliedBy(2)
                .plus(app.stickyGrace()).plus(app.drainTimeout()).plus(GATE_CALLS);
    }

    /** How long stopping a supervised app may take: its stop-timeout, then the wait after SIGKILL. */
    static Duration haltBound(AppConfig app) {
        SuperviseSpec spec = app.restart().supervise();
        return spec == null ? Duration.ZERO : spec.stopTimeout().plus(KILL_WAIT);
    }

    /**
     * How long a cycle running when the stop began is waited for: it finishes the drain phase it is in
     * (within a drain's bound) or the restart it is carrying out (a supervised app's: stopping the old
     * process, within {@link #haltBound}); then it ends.
     */
    static Duration waitBound(AppConfig app, HaproxyTiming timing) {
        return drainBound(app, timing).plus(haltBound(app));
    }
}
