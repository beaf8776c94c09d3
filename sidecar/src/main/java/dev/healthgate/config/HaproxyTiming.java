package dev.healthgate.config;

import java.time.Duration;
import java.util.List;

/**
 * HAProxy's health-check timing, shared by the rendered template and by the waits of the cycle.
 *
 * @param inter   time between two checks ({@code inter})
 * @param fastinter time between two checks while a line changes state ({@code fastinter}: after the
 *                first failed check of an UP line, the first good one of a DOWN line); at most {@code inter}
 * @param downinter time between two checks of a DOWN line ({@code downinter}); at most {@code inter}
 * @param fall    consecutive failed checks before HAProxy marks a server DOWN
 * @param rise    consecutive good checks before HAProxy marks a server UP
 * @param retries HAProxy's {@code retries} (template only)
 * @param bind    the frontend's bind address (template only)
 * @param backend the backend's name (template only)
 * @param nodes   the load balancer nodes (HAProxy's {@code node} names) that must all be seen to act;
 *                empty: every node seen checking
 * @param sources the addresses HAProxy's checks may come from ({@code haproxy.sources}); others are refused
 */
public record HaproxyTiming(Duration inter, Duration fastinter, Duration downinter, int fall, int rise, int retries,
        String bind, String backend, List<String> nodes, SourceAddresses sources) {

    /**
     * HAProxy's {@code timeout check} in the rendered template: the longest one check may take. A check
     * in flight when a gate flips (to a slow app, through the old redirect) ends at the latest this much
     * later, and only the check after it sees the new state.
     */
    public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    public HaproxyTiming {
        nodes = List.copyOf(nodes);
    }

    /** Timing that accepts checks from any source. */
    public HaproxyTiming(Duration inter, Duration fastinter, Duration downinter, int fall, int rise, int retries,
            String bind, String backend, List<String> nodes) {
        this(inter, fastinter, downinter, fall, rise, retries, bind, backend, nodes, SourceAddresses.ANY);
    }

    /**
     * How long a load balancer node that stopped checking is still waited on, when {@code haproxy.nodes}
     * is not set: a live node checks every {@code inter} at the latest, so twenty missed checks (at least
     * 30 s) mean it was retired or is down, and a drain should not wait on it.
     */
    public Duration forgetNodeAfter() {
        Duration twenty = inter.multipliedBy(20);
        return twenty.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : twenty;
    }

    /**
     * The longest HAProxy may need to see a closed gate: {@code fall} failed checks plus one interval
     * (an upper bound: with {@code fastinter} below {@code inter} HAProxy is quicker).
     */
    public Duration outAfter() {
        return inter.multipliedBy(fall + 1L);
    }

    /** The longest HAProxy may need to see an opened gate: {@code rise} good checks plus one interval (a bound). */
    public Duration inAfter() {
        return inter.multipliedBy(rise + 1L);
    }
}
