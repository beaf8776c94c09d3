package dev.healthgate.gate;

/** A gate could not be flipped or read; the message says which and why. */
public final class GateException extends Exception {

    public GateException(String message) {
        super(message);
    }

    public GateException(String message, Throwable cause) {
        super(message, cause);
    }
}
