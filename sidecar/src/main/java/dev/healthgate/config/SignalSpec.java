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
 * signal: { pidfile: /run/gunicorn.pid, signal: USR2, new-pidfile: /run/gunicorn.pid.2, then-old: TERM }  # Gunicorn
 * </pre>
 *
 * @param pidfile the app's pid file (absolute)
 * @param signal  the signal that starts the restart
 * @param newPid  whether the restart leaves a new process whose pid replaces the old one in the pid
 *                file (Unicorn USR2); false when the same pid lives on (Puma USR1/USR2)
 * @param thenOld signal sent to the old pid once the new process is ready (Unicorn: QUIT), or
 *                {@code null}; only with {@code newPid}
 * @param newPidfile where the new process writes its pid while the old one still runs (Gunicorn's USR2:
 *                {@code <pidfile>.2}, renamed to the pid file once the old master is gone), or {@code null}
 *                when it writes the pid file itself (Unicorn, nginx); only with {@code newPid}
 */
public record SignalSpec(Path pidfile, Signal signal, boolean newPid, Signal thenOld, Path newPidfile) {

    /** A spec whose new process writes the pid file itself. */
    public SignalSpec(Path pidfile, Signal signal, boolean newPid, Signal thenOld) {
        this(pidfile, signal, newPid, thenOld, null);
    }

    /** The file that names the new process during a hand-over: {@code newPidfile}, else the pid file. */
    public Path handOverPidfile() {
        return newPidfile != null ? newPidfile : pidfile;
    }

    public Optional<Signal> thenOldSignal() {
        return Optional.ofNullable(thenOld);
    }
}
