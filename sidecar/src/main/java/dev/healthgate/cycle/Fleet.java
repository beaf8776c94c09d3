package dev.healthgate.cycle;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The apps on this host and the operations on them: one action on one app, or a roll over all apps,
 * one at a time, stopping at the first failure.
 *
 * <p>A roll holds the whole fleet from its start to its end: while it runs, an operator's action on any
 * app and a second roll are refused ({@link BusyException}), so a roll never has two apps out of rotation.
 * healthgate's own actions (recover a crashed app, stop) are not held back by it: they answer a fact, not a
 * wish. Starting an action and claiming for a roll happen under one lock, so neither slips past the other.
 */
public final class Fleet {

    private final Map<String, AppInstance> apps = new LinkedHashMap<>();
    private final Cycle cycle;
    private final CycleListener observer;
    private volatile boolean stopping;
    /** The roll running now, or {@code null}; claimed and released under {@code this}, moved on by the roll. */
    private volatile RollStatus roll;

    /** {@code observer} hears every cycle of every app (logs, metrics), besides each caller's listener. */
    public Fleet(Collection<AppInstance> apps, Cycle cycle, CycleListener observer) {
        apps.forEach(a -> this.apps.put(a.name(), a));
        this.cycle = cycle;
        this.observer = observer;
    }

    public List<AppInstance> apps() {
        return List.copyOf(apps.values());
    }

    public Optional<AppInstance> app(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /** The roll running now, or {@code null}. */
    public RollStatus roll() {
        return roll;
    }

    /**
     * healthgate is stopping: from now on only {@link Action#STOP} is taken ({@link StoppingException} for
     * anything else), and cycles running now go no further than their drain ({@link Cycle#stopping()}).
     */
    public void stop() {
        stopping = true;
        cycle.stopping();
    }

    /**
     * Starts an action; throws {@link BusyException} at once if that app is in a cycle or, for an operator's
     * action, a roll is running; {@link StoppingException} once healthgate is stopping.
     */
    public Future<CycleResult> act(AppInstance app, Action action, CycleListener listener) {
        if (stopping && action != Action.STOP) {
            throw new StoppingException("healthgate is stopping");
        }
        synchronized (this) {
            RollStatus running = roll;
            if (running != null && action.requestable()) {
                throw new BusyException("a roll is running (at " + running.at() + ", " + running.done() + " of "
                        + running.apps().size() + " done): no " + action.key() + " of " + app.name()
                        + " until it ends", running.at(), Action.RESTART, running);
            }
            return cycle.run(app, action, observer.and(listener));
        }
    }

    /**
     * Restarts every app in turn; the next is taken out only when the previous is back in rotation.
     * Refuses at once (BusyException) if a roll is running or any app is in a cycle; holds the fleet until
     * it ends. The answer lists each app's result up to the first that failed or could not start.
     */
    public Future<List<CycleResult>> roll(CycleListener listener) {
        if (stopping) {
            throw new StoppingException("healthgate is stopping");
        }
        List<String> names = List.copyOf(apps.keySet());
        synchronized (this) {
            RollStatus running = roll;
            if (running != null) {
                throw new BusyException("a roll is already running (at " + running.at() + ", " + running.done()
                        + " of " + running.apps().size() + " done)", running.at(), Action.RESTART, running);
            }
            for (AppInstance app : apps.values()) {
                Action action = app.running();
                if (action != null) {
                    throw new BusyException("a " + action.key() + " of " + app.name() + " is running",
                            app.name(), action, null);
                }
            }
            roll = new RollStatus(names, names.isEmpty() ? null : names.get(0), 0);
        }
        List<CycleResult> results = new ArrayList<>();
        Future<Boolean> chain = Future.succeededFuture(true);
        for (AppInstance app : apps.values()) {
            chain = chain.compose(goOn -> goOn ? restartInRoll(app, names, results, listener)
                    : Future.succeededFuture(false));
        }
        return chain.map(v -> results).eventually(() -> {
            synchronized (this) {
                roll = null;
            }
            return Future.succeededFuture();
        });
    }

    private Future<Boolean> restartInRoll(AppInstance app, List<String> names, List<CycleResult> results,
            CycleListener listener) {
        roll = new RollStatus(names, app.name(), results.size());
        Future<CycleResult> restart;
        try {
            restart = cycle.run(app, Action.RESTART, observer.and(listener));
        } catch (BusyException | StoppingException e) {
            // healthgate's own action (a crashed app's recovery, the stop) has this app: stop here, say so
            results.add(new CycleResult(app.name(), Action.RESTART, false, app.state(), e.getMessage(), List.of(), 0,
                    Instant.now()));
            return Future.succeededFuture(false);
        }
        return restart.map(r -> {
            results.add(r);
            return r.ok();
        });
    }
}
