package dev.healthgate.cycle;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.RestartSpec;
import dev.healthgate.gate.GateException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cycle's side of {@link dev.healthgate.gate.PortHold}: a restart that keeps the app's port open
 * (a held socket, or {@code keeps-port-open}) holds the backup line up from just before the restart until
 * the app is ready or the cycle has failed, so sticky clients stay while no process answers.
 */
final class HeldRestart {

    private static final Logger LOG = LoggerFactory.getLogger(HeldRestart.class);

    private HeldRestart() {
    }

    /** Whether {@code action} on an app configured so holds its backup line. */
    static boolean applies(Action action, AppConfig config) {
        return action == Action.RESTART && config.restart().keepsPortOpen();
    }

    /**
     * The longest a hold may last: the restart's own bound (a supervised app's stop-timeout on top), then the
     * ready timeout. The cycle ends it sooner; past it a hung app shows as down even if the cycle did not.
     */
    static Duration bound(AppConfig config) {
        RestartSpec restart = config.restart();
        Duration stop = restart.supervise() == null ? Duration.ZERO : restart.supervise().stopTimeout();
        return restart.timeout().plus(stop).plus(config.ready().timeout());
    }

    /**
     * Begins the hold; blocking. A gate that cannot hold is no reason to refuse the restart (sticky clients
     * then move, as in a gated restart, and nothing fails): returns a note saying so, else null.
     */
    static String begin(AppInstance app) {
        long until = System.nanoTime() + bound(app.config()).toNanos();
        try {
            String note = app.gate().hold(until);
            if (note != null) {
                LOG.info("{}: {}", app.name(), note);
            }
            return null;
        } catch (GateException e) {
            LOG.warn("{}: cannot hold its backup line up during the restart: {}", app.name(), e.getMessage());
            return "backup line not held up (" + e.getMessage() + "): sticky clients may move while it restarts";
        }
    }
}
