package dev.healthgate.gate;

import dev.healthgate.config.SourceAddresses;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits connections to one status or agent port: only from {@code haproxy.sources} (when set), at most
 * {@link #MAX_CONNECTIONS} at once and at most {@link #MAX_PER_SOURCE} from one address, so a scan or a
 * flood from elsewhere cannot take the slots HAProxy's checks need. A refused connection is closed
 * without an answer and is never recorded as a load balancer node. Thread-safe.
 */
final class CheckGuard {

    private static final Logger LOG = LoggerFactory.getLogger(CheckGuard.class);
    /** HAProxy opens one connection per check and server line; hundreds at once is never HAProxy. */
    static final int MAX_CONNECTIONS = 256;
    /** One load balancer has one check in flight per line; a few more cover retries and reloads. */
    static final int MAX_PER_SOURCE = 16;
    /**
     * A check connection lives for one request, well under HAProxy's {@code timeout check}: one that stays
     * silent this long (or, see {@link #MAX_LIFETIME_MS}, lingers) holds a slot for nothing.
     */
    static final int IDLE_TIMEOUT_SECONDS = 2;
    static final long MAX_LIFETIME_MS = 5_000;

    private final String what;
    private final SourceAddresses sources;
    private final Map<String, Integer> bySource = new HashMap<>();
    private final RateLimitedWarning foreign = new RateLimitedWarning(LOG, 1, TimeUnit.MINUTES);
    private final RateLimitedWarning full = new RateLimitedWarning(LOG, 1, TimeUnit.MINUTES);
    private int open;

    /** @param what the port, for the log ("web1 status port 9001") */
    CheckGuard(String what, SourceAddresses sources) {
        this.what = what;
        this.sources = sources;
    }

    /** Whether {@code source} is one of {@code haproxy.sources}; logs (rate-limited) when it is not. */
    boolean fromHaproxy(String source) {
        if (sources.accepts(source)) {
            return true;
        }
        foreign.warn(System.nanoTime(), "{}: closed a connection from {}, which is not in haproxy.sources ({})",
                what, source, sources);
        return false;
    }

    /** Takes a slot for a connection from {@code source}; false (and nothing taken) if it must be closed. */
    synchronized boolean admit(String source) {
        if (!fromHaproxy(source)) {
            return false;
        }
        int fromSource = bySource.getOrDefault(source, 0);
        if (open >= MAX_CONNECTIONS || fromSource >= MAX_PER_SOURCE) {
            full.warn(System.nanoTime(), "{}: closed a connection from {}: {} open ({} from that address; limits "
                    + "{} and {})", what, source, open, fromSource, MAX_CONNECTIONS, MAX_PER_SOURCE);
            return false;
        }
        open++;
        bySource.put(source, fromSource + 1);
        return true;
    }

    /** Gives back the slot of an admitted connection once it closed. */
    synchronized void release(String source) {
        open--;
        bySource.computeIfPresent(source, (s, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections admitted and still open (for tests). */
    synchronized int open() {
        return open;
    }
}
