package dev.healthgate.cycle;

/** A cycle for this app is already running; the caller should not start another. */
public final class BusyException extends RuntimeException {

    public BusyException(String message) {
        super(message);
    }
}
