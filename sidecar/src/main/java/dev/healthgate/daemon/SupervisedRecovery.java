package dev.healthgate.daemon;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.Intent;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.StoppingException;
import dev.healthgate.restart.SuperviseRestart;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back a supervised app that exited without being asked. The first time at once: its gates close
 * (a {@link Action#RECOVER} cycle), it is started again and put back into rotation once ready. Should it
 * die again, the next attempt waits 1 s, then 2 s, 4 s ... up to 30 s; an app that ran for a minute
 * starts over at once. An app an operator drained is started again but left out of rotation, with its
 * backup gate closed from the moment it is found dead (a {@link Action#RECOVER_DRAINED} cycle): sticky
 * clients are not sent to its closed port, nor to it while it boots. A cycle running for the app (an
 * operator's restart) is left to finish first. Once healthgate is stopping, nothing is brought back.
 *
 * <p>Confined to one Vert.x context; the exit is reported from a process-reaper thread.
 */
final class SupervisedRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisedRecovery.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration BUSY_RETRY = Duration.ofMillis(500);
    private static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final Context context;
    private final Fleet fleet;
    private final AppInstance app;
    private final SuperviseRestart process;

    // confined to context
    private boolean pending;
    private Duration backoff = Duration.ZERO;
    private long upSince = System.nanoTime();
    private boolean stopped;

    SupervisedRecovery(Vertx vertx, Fleet fleet, AppInstance app, SuperviseRestart process) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.fleet = fleet;
        this.app = app;
        this.process = process;
        process.onUnexpectedExit(reason -> context.runOnContext(v -> exited(reason)));
    }

    String name() {
        return app.name();
    }

    SuperviseRestart process() {
        return process;
    }

    /** No more recoveries (healthgate is stopping). */
    void stop() {
        context.runOnContext(v -> stopped = true);
    }

    private void exited(String reason) {
        if (stopped || pending) {
            return; // an attempt is scheduled or running: it looks at the process when it runs
        }
        if (Duration.ofNanos(System.nanoTime() - upSince).compareTo(HEALTHY_RUN) >= 0) {
            backoff = Duration.ZERO;
        }
        pending = true;
        Action running = app.running();
        LOG.warn("{}: {}; {}", app.name(), reason, running != null
                ? "the " + running.key() + " running for it goes first"
                : backoff.isZero() ? "closing its gates and starting it again" : "starting it again in " + backoff.toMillis() + " ms");
        schedule(backoff);
    }

    private void schedule(Duration delay) {
        if (delay.isZero()) {
            attempt();
        } else {
            vertx.setTimer(delay.toMillis(), t -> context.runOnContext(v -> attempt()));
        }
    }

    private void attempt() {
        if (stopped) {
            pending = false;
            return;
        }
        if (app.running() != null) {
            schedule(BUSY_RETRY); // an operator's cycle restarts it, or fails and leaves it to us
            return;
        }
        vertx.executeBlocking(process::runningPid, false).onComplete(running -> context.runOnContext(v -> {
            if (running.succeeded() && running.result() > 0) {
                pending = false;
                LOG.info("{}: running again as pid {} (started by a cycle meanwhile): nothing to recover", app.name(),
                        running.result());
                return;
            }
            if (app.intent() == Intent.OUT) {
                LOG.info("{}: drained by an operator: closing its backup gate too, starting it again, leaving it "
                        + "out of rotation", app.name());
                recover(Action.RECOVER_DRAINED);
            } else {
                recover(Action.RECOVER);
            }
        }));
    }

    private void recover(Action action) {
        try {
            fleet.act(app, action, CycleListener.NONE).onComplete(ar -> context.runOnContext(v -> {
                if (ar.succeeded() && ar.result().ok()) {
                    pending = false;
                    upSince = System.nanoTime();
                    LOG.info("{}: {}", app.name(), action == Action.RECOVER ? "recovered: back in rotation"
                            : "running again, out of rotation with both gates closed until an operator restores it");
                    return;
                }
                vertx.executeBlocking(process::isRunning, false).onComplete(running -> context.runOnContext(w -> {
                    if (running.succeeded() && running.result()) {
                        pending = false; // running but not ready: FAILED says why; an operator decides
                    } else {
                        retryLater();
                    }
                }));
            }));
        } catch (BusyException e) {
            schedule(BUSY_RETRY);
        } catch (StoppingException e) {
            pending = false; // healthgate is stopping: the app stays down
        }
    }

    private void retryLater() {
        backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
        LOG.warn("{}: not back yet; next attempt in {} ms", app.name(), backoff.toMillis());
        schedule(backoff);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
