package dev.healthgate.cycle;

import dev.healthgate.config.AppConfig;
import dev.healthgate.gate.Line;
import dev.healthgate.restart.ReadyWait;
import dev.healthgate.restart.RestartException;
import dev.healthgate.restart.Restarted;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restart cycle of DESIGN.md for one app: close the gate, wait until HAProxy has acted, restart,
 * wait until ready, open the gate, wait until HAProxy has it back. Any failure closes both gates and
 * leaves the app FAILED with the reason: an unhealthy app is never put back into rotation.
 *
 * <p>Runs on Vert.x futures; blocking work (iptables, the restart command, /proc) goes to workers.
 * It knows nothing of HTTP: the control API, the CLI and tests drive it alike.
 *
 * <p>This is the one place that writes each app's {@link AppRecord} to the {@link Journal}: before each
 * phase begins (so a healthgate killed inside a phase finds that phase written down) and once the cycle
 * has ended. A write that fails is logged as an error and the cycle goes on: the restart an operator asked
 * for matters more than the record of it, and the next write tries again.
 */
public final class Cycle {

    private static final Logger LOG = LoggerFactory.getLogger(Cycle.class);
    private static final long CONNECTION_POLL_MS = 100;

    private final Vertx vertx;
    private final ConnectionCounter connections;
    private final Journal journal;
    private volatile boolean stopping;

    public Cycle(Vertx vertx, ConnectionCounter connections) {
        this(vertx, connections, Journal.NONE);
    }

    public Cycle(Vertx vertx, ConnectionCounter connections, Journal journal) {
        this.vertx = vertx;
        this.connections = connections;
        this.journal = journal;
    }

    /**
     * healthgate is stopping: a cycle running now finishes the drain phase it is in, but does not go on to
     * restart, wait until ready or restore (a ready wait ends at once); it fails with both gates closed,
     * which is where a stop leaves a supervised app anyway.
     */
    public void stopping() {
        stopping = true;
    }

    /**
     * Runs one action on one app. Throws {@link BusyException} at once when a cycle for the app is
     * running; otherwise the future always succeeds with a result, which says whether the cycle did.
     */
    public Future<CycleResult> run(AppInstance app, Action action, CycleListener listener) {
        app.begin(action);
        Run run = new Run(app, action, listener);
        LOG.info("{}: {} started ({})", app.name(), action.key(), app.state());
        return run.execute().transform(ar -> {
            app.end();
            // A cycle that healthgate's stop cut short keeps the phase it was in on file: the next start resumes
            // it (restored once ready), as after a crash, instead of finding it FAILED.
            boolean cutShort = stopping && ar.succeeded() && !ar.result().ok();
            if (cutShort) {
                LOG.info("{}: its {} was cut short by the stop: the next start resumes it", app.name(), action.key());
            }
            Future<Void> written = cutShort ? Future.succeededFuture() : write(app);
            return written.transform(w -> ar.succeeded() ? Future.succeededFuture(ar.result())
                    : Future.<CycleResult>failedFuture(ar.cause()));
        });
    }

    /** Writes the app's record as it is when the write runs; never fails (see the class comment). */
    private Future<Void> write(AppInstance app) {
        return vertx.<Void>executeBlocking(() -> {
            synchronized (app.journalLock) {
                journal.write(app.record());
            }
            return null;
        }, false).recover(e -> {
            LOG.error("{}: cannot write its state: {}", app.name(), reasonOf(e));
            return Future.succeededFuture();
        });
    }

    /** A phase: the state the app is in while it runs, and its body, whose value is a note or null. */
    private record Step(String name, CycleState state, Supplier<Future<String>> body) {
    }

    private final class Run {
        private final AppInstance app;
        private final AppConfig config;
        private final Action action;
        private final CycleListener listener;
        private final List<PhaseResult> phases = new ArrayList<>();
        private final long started = System.nanoTime();
        private final Instant startedAt = Instant.now();
        /** What this cycle's restart started, followed while waiting for readiness. */
        private Restarted followed;

        Run(AppInstance app, Action action, CycleListener listener) {
            this.app = app;
            this.config = app.config();
            this.action = action;
            this.listener = listener;
        }

        Future<CycleResult> execute() {
            Future<Void> chain = Future.succeededFuture();
            for (Step step : steps()) {
                chain = chain.compose(v -> perform(step));
            }
            return chain.transform(ar -> {
                if (ar.failed()) {
                    String interrupted = action == Action.RESUME ? app.interrupted() : null;
                    return failClosed(interrupted == null ? reasonOf(ar.cause())
                            : "interrupted by a restart of healthgate (" + interrupted + ") and not ready: "
                                    + reasonOf(ar.cause()));
                }
                boolean staysOut = action == Action.DRAIN || action == Action.STOP || action == Action.RECOVER_DRAINED;
                app.moveTo(staysOut ? CycleState.OUT_OF_ROTATION : CycleState.IN_ROTATION);
                return Future.succeededFuture(finish(null));
            });
        }

        private List<Step> steps() {
            List<Step> steps = new ArrayList<>();
            boolean recovers = action == Action.RECOVER || action == Action.RECOVER_DRAINED;
            if (recovers) {
                steps.add(new Step("close", CycleState.DRAINING, this::closeAtOnce));
            }
            if (action == Action.DRAIN || action == Action.RESTART || action == Action.STOP) {
                steps.add(new Step("drain", CycleState.DRAINING, () -> closeAndWait(Line.MAIN)));
            }
            // a stop closes the port whatever the app's restart does
            if ((action == Action.RESTART && !config.restart().keepsPortOpen()) || action == Action.STOP) {
                steps.add(new Step("sticky-grace", CycleState.DRAINING, this::stickyGrace));
                steps.add(new Step("drain-backup", CycleState.DRAINING, () -> closeAndWait(Line.BACKUP)));
                steps.add(new Step("connections", CycleState.DRAINING, this::awaitConnectionsClosed));
            }
            // the port stays open: the backup line stays up for sticky clients until the app is ready
            boolean held = HeldRestart.applies(action, config);
            if (action == Action.RESTART || recovers) {
                steps.add(new Step("restart", CycleState.RESTARTING, () -> blocking(() -> {
                    String notHeld = held ? HeldRestart.begin(app) : null;
                    followed = app.restartStrategy().restartAndFollow();
                    String note = followed.note() != null ? followed.note() : app.restartStrategy().describe();
                    return notHeld == null ? note : note + "; " + notHeld;
                })));
            }
            if (action != Action.DRAIN && action != Action.STOP) {
                boolean restores = action == Action.RESTORE || action == Action.RESTORE_ON_START
                        || action == Action.RESUME;
                CycleState readyState = restores ? CycleState.RESTORING : CycleState.RESTARTING;
                // the wait ends at once when the process the restart started exits, or healthgate stops
                steps.add(new Step("ready", readyState, () -> ReadyWait.await(vertx, app.probe(),
                        config.ready().timeout(),
                        unlessStopping(followed != null ? followed : Restarted.checking(app.restartStrategy())))
                        .onSuccess(note -> app.gate().endHold())));
                if (action != Action.RECOVER_DRAINED) {
                    steps.add(new Step("restore", CycleState.RESTORING, this::openAndWait));
                }
            }
            return steps;
        }

        private Future<Void> perform(Step step) {
            if (stopping && step.state() != CycleState.DRAINING) {
                return Future.failedFuture(new StoppingException("healthgate is stopping: the " + action.key()
                        + " of " + app.name() + " ends before its " + step.name() + " phase"));
            }
            if (app.state() == CycleState.DRAINING && step.state() != CycleState.DRAINING) {
                app.moveTo(CycleState.OUT_OF_ROTATION); // the drain is complete
            }
            if (app.state() != step.state()) {
                app.moveTo(step.state());
            }
            app.enter(step.name());
            return write(app).compose(v -> timed(step));
        }

        private Future<Void> timed(Step step) {
            long t0 = System.nanoTime();
            return step.body().get().map(note -> {
                PhaseResult phase = new PhaseResult(step.name(), millisSince(t0), note);
                phases.add(phase);
                LOG.info("{}: {} done in {} ms{}", app.name(), phase.name(), phase.ms(),
                        note == null ? "" : " (" + note + ")");
                listener.onPhase(app.name(), phase);
                return null;
            });
        }

        /** Closes one line and waits until HAProxy has acted, unless it was closed already. */
        private Future<String> closeAndWait(Line line) {
            long since = System.nanoTime();
            return blocking(() -> app.gate().close(line)).compose(wasOpen -> wasOpen
                    ? app.gate().watch().awaitOut(line, since)
                    : Future.succeededFuture(line.key() + " gate was already closed"));
        }

        /** A dead app has nothing to drain: both lines close at once. */
        private Future<String> closeAtOnce() {
            return blocking(() -> {
                app.gate().endHold();
                app.gate().close(Line.MAIN);
                app.gate().close(Line.BACKUP);
                return "the app is down: both gates closed without waiting";
            });
        }

        private Future<String> stickyGrace() {
            return blocking(() -> app.gate().status().isOpen(Line.BACKUP)).compose(open -> open
                    ? sleep(config.stickyGrace()).map((String) null)
                    : Future.succeededFuture("backup gate already closed"));
        }

        private Future<String> openAndWait() {
            long since = System.nanoTime();
            return blocking(() -> {
                Set<Line> opened = EnumSet.noneOf(Line.class);
                for (Line line : List.of(Line.BACKUP, Line.MAIN)) {
                    if (app.gate().open(line)) {
                        opened.add(line);
                    }
                }
                return opened;
            }).compose(opened -> action.unattended()
                    ? app.gate().watch().awaitInUnattended(opened, since)
                    : app.gate().watch().awaitIn(opened, since)).compose(note -> blocking(() -> {
                        app.gate().settle();
                        return note;
                    }));
        }

        /**
         * Before a restart that closes the port: HAProxy reports no session on the app's lines (where
         * it can be seen), then no connection to the app port is left (bounded by drain-timeout).
         */
        private Future<String> awaitConnectionsClosed() {
            // Any report since the cycle began counts: the view keeps each node's latest, a line that is out
            // gains no new client, and the connection count below catches anything in between.
            long since = started;
            long now = System.nanoTime();
            return app.gate().watch().awaitIdle(since).compose(haproxyNote -> {
                Promise<String> done = Promise.promise();
                pollConnections(done, now + config.drainTimeout().toNanos());
                return done.future().map(localNote -> haproxyNote == null ? localNote
                        : localNote == null ? haproxyNote : haproxyNote + "; " + localNote);
            });
        }

        private void pollConnections(Promise<String> done, long deadline) {
            blocking(() -> connections.established(config.port())).onComplete(ar -> {
                if (ar.failed()) {
                    done.fail(ar.cause());
                } else if (ar.result() == 0) {
                    done.complete(null);
                } else if (System.nanoTime() >= deadline) {
                    // The app's own graceful stop finishes these; note it rather than hide it.
                    done.complete(ar.result() + " connection(s) to port " + config.port()
                            + " still open after drain-timeout " + config.drainTimeout().toMillis() + " ms");
                } else {
                    vertx.setTimer(CONNECTION_POLL_MS, t -> pollConnections(done, deadline));
                }
            });
        }

        private Restarted unlessStopping(Restarted followed) {
            return new Restarted() {
                @Override
                public void checkAlive() throws RestartException {
                    if (stopping) {
                        throw new RestartException("healthgate is stopping: the " + action.key() + " of "
                                + app.name() + " ends in its ready phase");
                    }
                    followed.checkAlive();
                }

                @Override
                public String onReady() throws RestartException {
                    return followed.onReady();
                }

                @Override
                public String note() {
                    return followed.note();
                }

                @Override
                public boolean handsOver() {
                    return followed.handsOver();
                }
            };
        }

        private CycleResult finish(String reason) {
            CycleResult result = new CycleResult(app.name(), action, reason == null, app.state(), reason,
                    phases, millisSince(started), startedAt);
            app.finished(result);
            LOG.info("{}: {} {} in {} ms, state {}", app.name(), action.key(),
                    reason == null ? "done" : "FAILED: " + reason, result.totalMs(), result.state());
            listener.onResult(result);
            return result;
        }

        /** Closes both gates (best effort, reported), marks the app FAILED, and returns the result. */
        private Future<CycleResult> failClosed(String reason) {
            return blocking(() -> {
                app.gate().endHold();
                app.gate().close(Line.MAIN);
                app.gate().close(Line.BACKUP);
                return null;
            }).transform(closed -> {
                String why = closed.succeeded() ? reason
                        : reason + "; closing the gates also failed: " + reasonOf(closed.cause());
                app.fail(why);
                return Future.succeededFuture(finish(why));
            });
        }
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    private Future<Void> sleep(Duration d) {
        if (d.isZero()) {
            return Future.succeededFuture();
        }
        return vertx.timer(d.toMillis(), TimeUnit.MILLISECONDS).mapEmpty();
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String reasonOf(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
