package dev.healthgate.daemon;

/** healthgate cannot start; the message says why and what to do. */
public final class StartException extends Exception {

    public StartException(String message) {
        super(message);
    }
}
