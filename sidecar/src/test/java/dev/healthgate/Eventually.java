package dev.healthgate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits in tests for a condition, with a deadline and a message that says what did not happen. */
public final class Eventually {

    private static final long POLL_MS = 20;

    private Eventually() {
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }
}
