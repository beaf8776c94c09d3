package dev.healthgate.cycle;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The apps on this host and the operations on them: one action on one app, or a roll over all apps,
 * one at a time, stopping at the first failure.
 */
public final class Fleet {

    private final Map<String, AppInstance> apps = new LinkedHashMap<>();
    private final Cycle cycle;
    private final CycleListener observer;
    private volatile boolean stopping;

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

    /**
     * healthgate is stopping: from now on only {@link Action#STOP} is taken ({@link StoppingException} for
     * anything else), and cycles running now go no further than their drain ({@link Cycle#stopping()}).
     */
    public void stop() {
        stopping = true;
        cycle.stopping();
    }

    /**
     * Starts an action; throws {@link BusyException} at once if that app is in a cycle, and
     * {@link StoppingException} once healthgate is stopping.
     */
    public Future<CycleResult> act(AppInstance app, Action action, CycleListener listener) {
        if (stopping && action != Action.STOP) {
            throw new StoppingException("healthgate is stopping");
        }
        return cycle.run(app, action, observer.and(listener));
    }

    /**
     * Restarts every app in turn; the next is taken out only when the previous is back in rotation.
     * Refuses at once (BusyException) if any app is in a cycle, so a roll never overlaps another.
     */
    public Future<List<CycleResult>> roll(CycleListener listener) {
        if (stopping) {
            throw new StoppingException("healthgate is stopping");
        }
        for (AppInstance app : apps.values()) {
            if (app.running() != null) {
                throw new BusyException("a " + app.running().key() + " of " + app.name() + " is running");
            }
        }
        List<CycleResult> results = new ArrayList<>();
        Future<Boolean> chain = Future.succeededFuture(true);
        for (AppInstance app : apps.values()) {
            chain = chain.compose(goOn -> {
                if (!goOn) {
                    return Future.succeededFuture(false);
                }
                return cycle.run(app, Action.RESTART, observer.and(listener)).map(r -> {
                    results.add(r);
                    return r.ok();
                });
            });
        }
        return chain.map(v -> results);
    }
}
