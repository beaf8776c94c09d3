package dev.healthgate.cycle;

import dev.healthgate.config.AppConfig;
import dev.healthgate.gate.Gate;
import dev.healthgate.gate.GateException;
import dev.healthgate.gate.GateStatus;
import dev.healthgate.ready.ReadinessProbe;
import dev.healthgate.restart.RestartStrategy;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One gated app and what healthgate knows of it: its state, why it failed, its last cycle, and whether
 * a cycle is running. At most one cycle runs per app at a time.
 */
public final class AppInstance {

    private final AppConfig config;
    private final Gate gate;
    private final RestartStrategy restart;
    private final ReadinessProbe probe;
    private final AtomicReference<Action> running = new AtomicReference<>();

    private CycleState state;
    private String reason;
    private CycleResult lastCycle;

    public AppInstance(AppConfig config, Gate gate, RestartStrategy restart, ReadinessProbe probe,
            CycleState initial) {
        this.config = config;
        this.gate = gate;
        this.restart = restart;
        this.probe = probe;
        this.state = initial;
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
    }

    void end() {
        running.set(null);
    }
}
