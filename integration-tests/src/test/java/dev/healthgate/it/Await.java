package dev.healthgate.it;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits on a condition with a deadline instead of sleeping and hoping. The condition is polled; an
 * exception thrown by it counts as "not yet" and is reported if the deadline passes.
 */
public final class Await {
    private static final long POLL_MILLIS = 50;

    private Await() {}

    /** Waits until {@code condition} holds, or fails with {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /**
     * Waits until {@code condition} holds; on timeout the failure names {@code what} and adds what
     * {@code diagnostics} says about the state at that moment.
     */
    public static void until(
            String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnostics) {
        value(what, timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(),
                diagnostics);
    }

    /** Polls {@code probe} until it yields a value and returns it, or fails after {@code timeout}. */
    public static <T> T value(String what, Duration timeout, Supplier<Optional<T>> probe) {
        return value(what, timeout, probe, () -> "");
    }

    /** Like {@link #value(String, Duration, Supplier)}, with diagnostics added to a timeout failure. */
    public static <T> T value(
            String what, Duration timeout, Supplier<Optional<T>> probe, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastError = null;
        while (true) {
            try {
                Optional<T> found = probe.get();
                if (found.isPresent()) {
                    return found.get();
                }
                lastError = null;
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                String detail = safely(diagnostics);
                AssertionError failure = new AssertionError("timed out after " + timeout.toMillis()
                        + " ms waiting for: " + what + (detail.isEmpty() ? "" : "\n" + detail)
                        + (lastError == null ? "" : "\nlast error: " + lastError));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            pause();
        }
    }

    private static String safely(Supplier<String> diagnostics) {
        try {
            return diagnostics.get();
        } catch (RuntimeException e) {
            return "(diagnostics failed: " + e + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
