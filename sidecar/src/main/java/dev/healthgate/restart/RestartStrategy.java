package dev.healthgate.restart;

/**
 * Restarts an app. Blocking: it returns when the restart was carried out (not necessarily when the app
 * is ready, which the cycle waits for separately), and throws with a specific reason when it was not.
 */
public interface RestartStrategy {

    void restart() throws RestartException;

    /** One line for logs and the API, e.g. {@code exec systemctl restart web1}. */
    String describe();
}
