package dev.healthgate.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every step of a scenario's clean-up even when an earlier one fails, then reports all failures
 * at once: a failed HAProxy stop must not leave the apps or the rules behind.
 */
final class Cleanup {

    /** One clean-up step. */
    interface Step {
        void run() throws IOException;
    }

    private final List<Throwable> errors = new ArrayList<>();

    void run(Step step) {
        try {
            step.run();
        } catch (IOException | RuntimeException | AssertionError e) {
            errors.add(e);
        }
    }

    /** Closes each of {@code opened} in reverse order (the last opened first), each as a step of its own. */
    void closeAll(List<? extends AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            AutoCloseable c = opened.get(i);
            run(() -> {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** Throws the first failure, with the others suppressed, if any step failed. */
    void throwIfFailed(String what) {
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(what + " failed: " + errors.get(0), errors.get(0));
            errors.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
