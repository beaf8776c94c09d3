package dev.healthgate.restart;

/**
 * Restarts an app. Blocking: it returns when the restart was carried out (not necessarily when the app
 * is ready, which the cycle waits for separately), and throws with a specific reason when it was not.
 * Call it from a worker thread, never from an event loop.
 */
public interface RestartStrategy {

    void restart() throws RestartException;

    /**
     * Carries out a restart and returns what the cycle follows while it waits for the app to be ready:
     * the new process, whose exit ends the wait at once, and the last step of a hand-over (Unicorn: QUIT
     * to the old master once the new one is ready). By default {@link #restart()} and nothing to follow.
     */
    default Restarted restartAndFollow() throws RestartException {
        restart();
        return Restarted.NOTHING;
    }

    /**
     * Throws when the app cannot become ready as it is, e.g. a supervised app whose process is not
     * running; a restore's wait for readiness ends at once then. Blocking and cheap. By default nothing
     * is known, and nothing is thrown.
     */
    default void checkRunning() throws RestartException {
    }

    /** One line for logs and the API, e.g. {@code exec systemctl restart web1}. */
    String describe();
}
