package dev.healthgate.cycle;

import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.Watch;
import java.util.List;

/**
 * An in-memory gate for the cycle's unit tests: starts with both lines open and appends each real
 * flip ("close main", "open backup") and each hold ("hold backup", "end hold") to a shared event list, so a test can assert the order of flips
 * against the restart's own events.
 */
final class RecordingGate implements Gate {

    private final List<String> events;
    private final Watch watch;
    private boolean main = true;
    private boolean backup = true;
    private boolean holding;

    RecordingGate(List<String> events, Watch watch) {
        this.events = events;
        this.watch = watch;
    }

    @Override
    public synchronized boolean open(Line line) {
        boolean wasClosed = !status().isOpen(line);
        if (wasClosed) {
            events.add("open " + line.key());
        }
        set(line, true);
        return wasClosed;
    }

    @Override
    public synchronized boolean close(Line line) {
        boolean wasOpen = status().isOpen(line);
        if (wasOpen) {
            events.add("close " + line.key());
        }
        set(line, false);
        return wasOpen;
    }

    private void set(Line line, boolean open) {
        if (line == Line.MAIN) {
            main = open;
        } else {
            backup = open;
        }
    }

    @Override
    public synchronized String hold(long untilNanos) {
        events.add("hold backup");
        holding = true;
        return null;
    }

    @Override
    public synchronized void endHold() {
        if (holding) {
            events.add("end hold");
        }
        holding = false;
    }

    @Override
    public synchronized GateStatus status() {
        return new GateStatus(main, backup);
    }

    @Override
    public String reconcile(GateStatus wanted) {
        return "in memory";
    }

    @Override
    public Watch watch() {
        return watch;
    }
}
