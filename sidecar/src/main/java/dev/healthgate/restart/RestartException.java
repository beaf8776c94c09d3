package dev.healthgate.restart;

/** A restart was not carried out; the message says why in an operator's words. */
public final class RestartException extends Exception {

    public RestartException(String message) {
        super(message);
    }
}
