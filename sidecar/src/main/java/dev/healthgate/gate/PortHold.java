package dev.healthgate.gate;

import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;

/**
 * The window in which a restart keeps the app's listening socket open (a held socket, Puma's hot restart,
 * a hand-over) while no process may be answering: the old one has stopped or re-executes, the new one
 * boots. Connections the kernel accepts meanwhile wait in the socket's queue and are served once the new
 * process accepts them. So while the window lasts, a gate answers HAProxy's checks of the open backup
 * line from whether the app's port accepts a TCP connection, not from its (slow or silent) health path:
 * the line stays UP and sticky clients stay on their instance, their requests queued.
 *
 * <p>The cycle opens the window before such a restart and ends it once the app is ready or the cycle has
 * failed. It is bounded: past its deadline checks are answered from the app's health again, so a child
 * that hangs while its port is still open shows as down to HAProxy even if the cycle were never to end it.
 * The main line is never held: it is closed while the app restarts. Thread-safe.
 */
public final class PortHold {

    /** Where the answer to one of HAProxy's checks comes from. */
    enum Source {
        /** The line is closed: 503 (or a refused connection). */
        CLOSED,
        /** The app's health (its ready path, or a TCP connect for TCP checks). */
        HEALTH,
        /** Whether the app's port accepts a TCP connection: a held restart is under way. */
        REACHABLE
    }

    private volatile boolean on;
    private volatile long untilNanos;

    /** Opens (or moves the deadline of) the window, until {@code untilNanos} on {@link System#nanoTime()}. */
    public void begin(long untilNanos) {
        this.untilNanos = untilNanos;
        this.on = true;
    }

    /** Ends the window; checks are answered from the app's health again. */
    public void end() {
        on = false;
    }

    /** Whether the window is open at {@code nowNanos}. */
    boolean covers(long nowNanos) {
        return on && nowNanos - untilNanos < 0;
    }

    /** The decision, pure: where a check of {@code line}, open or not, is answered from. */
    static Source source(Line line, boolean open, boolean held) {
        if (!open) {
            return Source.CLOSED;
        }
        return line == Line.BACKUP && held ? Source.REACHABLE : Source.HEALTH;
    }

    /** The HTTP status for one check of {@code line} now. */
    Future<Integer> answer(Line line, boolean open, ReadinessProbe probe) {
        return switch (source(line, open, covers(System.nanoTime()))) {
            case CLOSED -> Future.succeededFuture(503);
            case HEALTH -> probe.healthStatus();
            case REACHABLE -> probe.reachableStatus();
        };
    }
}
