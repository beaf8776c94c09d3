package dev.healthgate.gate;

/**
 * A gate whose state lives in healthgate itself (its own listeners answer HAProxy): opening and
 * closing flip flags, read by the listeners on every check. A fresh healthgate starts closed.
 */
abstract class FlagGate implements Gate {

    private volatile boolean main;
    private volatile boolean backup;

    @Override
    public boolean open(Line line) {
        boolean wasClosed = !status().isOpen(line);
        set(line, true);
        return wasClosed;
    }

    @Override
    public boolean close(Line line) {
        boolean wasOpen = status().isOpen(line);
        set(line, false);
        return wasOpen;
    }

    private void set(Line line, boolean open) {
        if (line == Line.MAIN) {
            main = open;
        } else {
            backup = open;
        }
        changed();
    }

    /** Called after a flip, e.g. to open or close a TCP listener. */
    void changed() {
    }

    @Override
    public GateStatus status() {
        return new GateStatus(main, backup);
    }

    /** A fresh healthgate's flags are closed; healthgate decides at start whether to open them (it does not). */
    @Override
    public String reconcile(GateStatus wanted) {
        set(Line.MAIN, wanted.main());
        set(Line.BACKUP, wanted.backup());
        return "own status ports: main " + (wanted.main() ? "open" : "closed") + ", backup "
                + (wanted.backup() ? "open" : "closed");
    }
}
