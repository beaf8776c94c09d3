package dev.healthgate.observe;

import dev.healthgate.gate.Line;
import io.vertx.core.Future;
import java.util.Set;

/**
 * How the cycle waits until HAProxy has acted on a gate flip: by observing HAProxy's checks where the
 * gate lets healthgate see them, by the clock where it does not. Each future's value is a note for the
 * phase ("observed lb1, lb2 out after 730 ms"); it fails with the reason when HAProxy did not act.
 */
public interface Watch {

    /** After closing {@code line} at {@code since} (System.nanoTime): wait until HAProxy has it out. */
    Future<String> awaitOut(Line line, long since);

    /**
     * Before a restart: wait (bounded by drain-timeout from now) until HAProxy's latest report since
     * {@code since} shows no session on each of the app's lines.
     */
    Future<String> awaitIdle(long since);

    /**
     * After opening {@code lines} at {@code since}: wait until HAProxy has them back. Lines that were
     * open already are not waited for: HAProxy has nothing to act on there.
     */
    Future<String> awaitIn(Set<Line> lines, long since);

    /**
     * {@link #awaitIn} for the restores healthgate makes on its own, with no operator waiting on them: when
     * it starts (restore-on-start) and after a supervised app died (recover). A node that has not sent one
     * check since {@code since} (HAProxy not running: not started yet as when a whole site boots, or down
     * while the app crashed) is not waited for past the bound: the lines stay open, so its next check finds
     * them up, and the note says what was not confirmed. Closing them would keep the app out of rotation
     * once HAProxy is back, until someone restored it. Nodes that do check must have the lines back, as in
     * {@link #awaitIn}.
     */
    default Future<String> awaitInUnattended(Set<Line> lines, long since) {
        return awaitIn(lines, since);
    }
}
