package dev.healthgate.cycle;

import dev.healthgate.config.AppConfig;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateException;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartStrategy;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One gated app and what healthgate knows of it: its state, why it failed, its last cycle, whether a
 * cycle is running and in which phase, and what the operator wants of it ({@link Intent}). At most one
 * cycle runs per app at a time. {@link #record()} is what the cycle writes to its {@link Journal}.
 */
public final class AppInstance {

    private final AppConfig config;
    private final Gate gate;
    private final RestartStrategy restart;
    private final ReadinessProbe probe;
    private final AtomicReference<Action> running = new AtomicReference<>();
    /** Held while the record is read and written, so that the file always ends with the latest record. */
    final Object journalLock = new Object();

    private CycleState state;
    private String reason;
    private CycleResult lastCycle;
    private Intent intent;
    private String phase;
    /** Set at start for a {@link Action#RESUME}: what was cut short, e.g. "restart in its drain phase". */
    private String interrupted;

    public AppInstance(AppConfig config, Gate gate, RestartStrategy restart, ReadinessProbe probe,
            CycleState initial) {
        this(config, gate, restart, probe, initial, Intent.IN, null);
    }

    /**
     * An app as healthgate found it at start: {@code initial} state (with {@code reason} when FAILED) and the
     * operator's {@code intent}, as read back from its state file.
     */
    public AppInstance(AppConfig config, Gate gate, RestartStrategy restart, ReadinessProbe probe,
            CycleState initial, Intent intent, String reason) {
        this.config = config;
        this.gate = gate;
        this.restart = restart;
        this.probe = probe;
        this.state = initial;
        this.intent = intent;
        this.reason = initial == CycleState.FAILED ? reason : null;
    }

    public String name() {
        return config.name();
    }

    public AppConfig config() {
        return config;
    }

    Gate gate() {
        return gate;
    }

    /** Starts the gate's own listeners, if it has any. */
    public io.vertx.core.Future<Void> startGate() {
        return gate.start();
    }

    /** The gates as they are in place now (blocking: may run a program). */
    public GateStatus gateStatus() throws GateException {
        return gate.status();
    }

    RestartStrategy restartStrategy() {
        return restart;
    }

    ReadinessProbe probe() {
        return probe;
    }

    public synchronized CycleState state() {
        return state;
    }

    public synchronized String reason() {
        return reason;
    }

    public synchronized CycleResult lastCycle() {
        return lastCycle;
    }

    public synchronized Intent intent() {
        return intent;
    }

    /** The phase of the cycle running now (e.g. {@code drain-backup}), or {@code null}. */
    public synchronized String phase() {
        return phase;
    }

    /** What a healthgate restart cut short, for a {@link Action#RESUME} to name if it fails. */
    public synchronized void interrupted(String what) {
        interrupted = what;
    }

    synchronized String interrupted() {
        return interrupted;
    }

    /** What the journal keeps of this app, as it is now. */
    public synchronized AppRecord record() {
        return new AppRecord(name(), intent, state, reason, running.get(), phase);
    }

    synchronized void enter(String phaseName) {
        phase = phaseName;
    }

    /** The action of the cycle running now, or {@code null}. */
    public Action running() {
        return running.get();
    }

    synchronized void moveTo(CycleState next) {
        state = state.moveTo(next);
        if (next != CycleState.FAILED) {
            reason = null;
        }
    }

    synchronized void fail(String why) {
        state = state.moveTo(CycleState.FAILED);
        reason = why;
    }

    synchronized void finished(CycleResult result) {
        lastCycle = result;
    }

    void begin(Action action) {
        Action other = running.compareAndExchange(null, action);
        if (other != null) {
            throw new BusyException("a " + other.key() + " of " + name() + " is already running", name(), other, null);
        }
        synchronized (this) {
            intent = Intent.of(action, intent);
            phase = null;
            if (action != Action.RESUME) {
                interrupted = null;
            }
        }
    }

    void end() {
        synchronized (this) {
            phase = null;
            interrupted = null;
        }
        running.set(null);
    }
}
