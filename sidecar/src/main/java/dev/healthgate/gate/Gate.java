package dev.healthgate.gate;

import dev.healthgate.observe.Watch;
import io.vertx.core.Future;

/**
 * The signal HAProxy health-checks for one app: opening a line lets HAProxy's checks on that line's
 * status port succeed, closing it makes them fail. {@link #open}, {@link #close}, {@link #status} and
 * {@link #reconcile} are idempotent and may block (they may run programs): call them from a worker.
 */
public interface Gate {

    /** Opens a line; returns whether it was closed (whether HAProxy has anything to act on). */
    boolean open(Line line) throws GateException;

    /** Closes a line; returns whether it was open (whether HAProxy has anything to act on). */
    boolean close(Line line) throws GateException;

    /** Reads what is in place now. */
    GateStatus status() throws GateException;

    /** What is in place at start, line by line; by default what {@link #status()} reads. */
    default Found found() throws GateException {
        GateStatus s = status();
        return new Found(s.main() ? Presence.ALL : Presence.NONE, s.backup() ? Presence.ALL : Presence.NONE);
    }

    /**
     * Brings what is in place at start to exactly {@code wanted}: each line open or closed as a whole, no
     * duplicated or stale entries. Returns a line for the log saying what was found and changed.
     */
    String reconcile(GateStatus wanted) throws GateException;

    /**
     * Called once HAProxy has the opened lines back: makes the open state durable. The nat gate answers
     * the checks itself while it restores (so the restore is observed) and installs its redirects here.
     */
    default void settle() throws GateException {
    }

    /**
     * A restart that keeps the app's listening socket open is about to run: until {@link #endHold()} or
     * {@code untilNanos} (on {@link System#nanoTime()}), an open backup line stays up for HAProxy while the
     * app's port accepts TCP connections, though no process may answer yet (see {@link PortHold}). Returns
     * what the gate did or could not do, for the log, or null when it has nothing to say. May block (the nat
     * gate runs iptables). By default nothing: HAProxy's view of the line needs nothing from this gate.
     */
    default String hold(long untilNanos) throws GateException {
        return null;
    }

    /** Ends {@link #hold}: checks are answered from the app's health again. Cheap, never blocks, idempotent. */
    default void endHold() {
    }

    /** How the cycle waits until HAProxy has acted on this gate's flips. */
    Watch watch();

    /** Starts the gate's own listeners, if it has any. */
    default Future<Void> start() {
        return Future.succeededFuture();
    }
}
