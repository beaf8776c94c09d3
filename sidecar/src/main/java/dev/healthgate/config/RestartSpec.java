package dev.healthgate.config;

import java.time.Duration;
import java.util.List;

/**
 * How an app is restarted: exactly one of {@code exec}, {@code signal} and {@code supervise}.
 *
 * @param exec          strategy {@code exec}: a command run as an argument list (no shell), e.g.
 *                      {@code [systemctl, restart, web1]}; empty for the other strategies
 * @param signal        strategy {@code signal}, or {@code null}
 * @param supervise     strategy {@code supervise}, or {@code null}
 * @param keepsPortOpen true when the app hands its listening socket over (Unicorn USR2, Puma phased
 *                      restart): sticky clients then stay on it and the backup gate stays open, held up
 *                      while the port accepts even if nobody answers yet (see {@code gate.PortHold})
 * @param timeout       bound on the restart step: the command, or the wait for a new pid
 */
public record RestartSpec(List<String> exec, SignalSpec signal, SuperviseSpec supervise, boolean keepsPortOpen,
        Duration timeout) {

    /** The restart strategies, by their config key. */
    public enum Kind {
        EXEC("exec"),
        SIGNAL("signal"),
        SUPERVISE("supervise");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public RestartSpec {
        exec = List.copyOf(exec);
        int given = (exec.isEmpty() ? 0 : 1) + (signal == null ? 0 : 1) + (supervise == null ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException("exactly one of exec, signal and supervise must be given, not " + given);
        }
    }

    /** Strategy {@code exec}. */
    public RestartSpec(List<String> exec, boolean keepsPortOpen, Duration timeout) {
        this(exec, null, null, keepsPortOpen, timeout);
    }

    public Kind kind() {
        if (signal != null) {
            return Kind.SIGNAL;
        }
        return supervise != null ? Kind.SUPERVISE : Kind.EXEC;
    }
}
