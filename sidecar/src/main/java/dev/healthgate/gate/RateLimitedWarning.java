package dev.healthgate.gate;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A warning logged at most once per interval, with the number of times it was held back since: a flood
 * of foreign connections or forged headers must not flood the log as well. Thread-safe.
 */
final class RateLimitedWarning {

    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long held;

    RateLimitedWarning(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    /** Logs {@code message} (an SLF4J pattern) unless one was logged within the interval. */
    synchronized void warn(long nowNanos, String message, Object... args) {
        if (logged && nowNanos - lastNanos < intervalNanos) {
            held++;
            return;
        }
        String suffix = held > 0 ? " (and " + held + " more like it since the last warning)" : "";
        log.warn(message + suffix, args);
        logged = true;
        lastNanos = nowNanos;
        held = 0;
    }

    /** How many warnings were held back since the last one logged (for tests). */
    synchronized long held() {
        return held;
    }
}
