package dev.healthgate.cycle;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an app stands in its restart cycle. The allowed moves are declared here, in one place;
 * {@link #moveTo} refuses any other.
 */
public enum CycleState {
    /** Both gates open: HAProxy sends new and sticky clients. */
    IN_ROTATION,
    /** The gates are closing and healthgate waits until HAProxy has acted. */
    DRAINING,
    /** HAProxy sends no new clients (and, before a port-closing restart, no sticky ones either). */
    OUT_OF_ROTATION,
    /** The app is being restarted and healthgate waits until it is ready. */
    RESTARTING,
    /** The gates are opening and healthgate waits until HAProxy has the app back. */
    RESTORING,
    /** A step failed: the gates are closed and stay closed until a restart or restore succeeds. */
    FAILED;

    private Set<CycleState> next() {
        return switch (this) {
            case IN_ROTATION -> EnumSet.of(DRAINING, RESTORING);
            case DRAINING -> EnumSet.of(DRAINING, OUT_OF_ROTATION);
            case OUT_OF_ROTATION -> EnumSet.of(DRAINING, RESTARTING, RESTORING);
            case RESTARTING -> EnumSet.of(RESTORING, OUT_OF_ROTATION);
            case RESTORING -> EnumSet.of(IN_ROTATION);
            case FAILED -> EnumSet.of(DRAINING, RESTARTING, RESTORING);
        };
    }

    /** Returns {@code to} if this state may move there; any state may fail. */
    public CycleState moveTo(CycleState to) {
        if (to != FAILED && !next().contains(to)) {
            throw new IllegalStateException("illegal move " + this + " -> " + to);
        }
        return to;
    }
}
