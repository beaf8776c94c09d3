package dev.healthgate.gate;

/**
 * The signal HAProxy health-checks for one app: opening a line lets HAProxy's checks on that line's
 * status port succeed, closing it makes them fail. Implementations are idempotent and blocking (they
 * may run programs): call them from a worker thread.
 */
public interface Gate {

    void open(Line line) throws GateException;

    void close(Line line) throws GateException;

    /** Reads what is in place now. */
    GateStatus status() throws GateException;

    /**
     * Brings what is in place to a clean state at start: no duplicated or stale entries, nothing
     * flipped. Returns a line for the log describing what was found.
     */
    String reconcile() throws GateException;
}
