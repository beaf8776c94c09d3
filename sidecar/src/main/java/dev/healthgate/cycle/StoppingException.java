package dev.healthgate.cycle;

/**
 * healthgate is stopping: it takes no new action (the control API answers 503), and a cycle running when
 * the stop began goes no further than its drain.
 */
public final class StoppingException extends RuntimeException {

    public StoppingException(String message) {
        super(message);
    }
}
