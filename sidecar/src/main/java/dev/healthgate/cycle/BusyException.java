package dev.healthgate.cycle;

/**
 * The action was refused at once, nothing changed: a cycle for that app is already running, or a roll holds
 * the whole fleet. Carries what is running now, so the caller can say it (the API's 409 body).
 */
public final class BusyException extends RuntimeException {

    private final String app;
    private final Action running;
    private final transient RollStatus roll;

    public BusyException(String message) {
        this(message, null, null, null);
    }

    public BusyException(String message, String app, Action running, RollStatus roll) {
        super(message);
        this.app = app;
        this.running = running;
        this.roll = roll;
    }

    /** The app whose cycle is running, or {@code null}. */
    public String app() {
        return app;
    }

    /** The action running on {@link #app()}, or {@code null}. */
    public Action running() {
        return running;
    }

    /** The roll that holds the fleet, or {@code null}. */
    public RollStatus roll() {
        return roll;
    }
}
