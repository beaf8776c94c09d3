package dev.healthgate.config;

import dev.healthgate.os.Signal;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Restart strategy {@code signal}: send a signal to the pid in a pid file, as Unicorn and Puma are
 * restarted.
 *
 * <pre>
 * signal: { pidfile: /run/unicorn.pid, signal: USR2, new-pid: true, then-old: QUIT }   # Unicorn
 * signal: { pidfile: /run/puma.pid, signal: USR1, new-pid: false }                     # Puma phased restart
 * </pre>
 *
 * @param pidfile the app's pid file (absolute)
 * @param signal  the signal that starts the restart
 * @param newPid  whether the restart leaves a new process whose pid replaces the old one in the pid
 *                file (Unicorn USR2); false when the same pid lives on (Puma USR1/USR2)
 * @param thenOld signal sent to the old pid once the new process is ready (Unicorn: QUIT), or
 *                {@code null}; only with {@code newPid}
 */
public record SignalSpec(Path pidfile, Signal signal, boolean newPid, Signal thenOld) {

    public Optional<Signal> thenOldSignal() {
        return Optional.ofNullable(thenOld);
    }
}
