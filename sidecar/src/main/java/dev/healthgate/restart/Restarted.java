package dev.healthgate.restart;

/**
 * One restart that was carried out, followed until the app is ready. Blocking methods: call them from a
 * worker thread.
 */
public interface Restarted {

    /** A restart with nothing to follow (an {@code exec} command: healthgate knows no process). */
    Restarted NOTHING = new Restarted() {
        @Override
        public void checkAlive() {
        }

        @Override
        public String note() {
            return null;
        }
    };

    /**
     * Throws, naming the process and how it ended, when what the restart started can no longer become
     * ready (it exited). Called repeatedly while the cycle waits for readiness; must be cheap.
     */
    void checkAlive() throws RestartException;

    /**
     * Called once the app is ready, before the gate opens: finishes a hand-over, e.g. sends QUIT to the
     * old master. Returns a note for the phase, or {@code null}.
     */
    default String onReady() throws RestartException {
        return null;
    }

    /** A note for the restart phase, e.g. {@code USR2 to pid 1200, new pid 1234}, or {@code null}. */
    String note();

    /**
     * Whether {@link #onReady()} stopped what answered until then (the old master): readiness is then
     * checked once more, since only the new process can answer now.
     */
    default boolean handsOver() {
        return false;
    }

    /** Follows nothing but a check: a restore uses the strategy's {@link RestartStrategy#checkRunning()}. */
    static Restarted checking(RestartStrategy strategy) {
        return new Restarted() {
            @Override
            public void checkAlive() throws RestartException {
                strategy.checkRunning();
            }

            @Override
            public String note() {
                return null;
            }
        };
    }
}
