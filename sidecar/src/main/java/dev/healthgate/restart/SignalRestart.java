package dev.healthgate.restart;

import dev.healthgate.config.SignalSpec;
import dev.healthgate.os.Libc;
import dev.healthgate.os.PidFile;
import dev.healthgate.os.Proc;
import dev.healthgate.os.Signal;
import dev.healthgate.os.SignalException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strategy {@code signal}: sends a signal to the pid in the app's pid file (Unicorn USR2, Puma USR1 or
 * USR2), then, when a new pid is expected, waits until the pid file holds a new live pid. Once the app is
 * ready it sends {@code then-old} to the old pid (Unicorn: QUIT) and waits, bounded, until it is gone.
 *
 * <p>Signals and liveness go through libc ({@link Libc}), never by running {@code kill}. A pid is only
 * signalled when it is alive, is not init, and belongs to the pid file's owner (unless root owns the
 * file): a pid file written by the app cannot make healthgate signal another user's process.
 */
public final class SignalRestart implements RestartStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SignalRestart.class);
    private static final long POLL_MS = 50;

    private final String app;
    private final SignalSpec spec;
    private final Duration timeout;
    private final PidFile pidFile;

    public SignalRestart(String app, SignalSpec spec, Duration timeout) {
        this.app = app;
        this.spec = spec;
        this.timeout = timeout;
        this.pidFile = new PidFile(spec.pidfile());
    }

    @Override
    public void restart() throws RestartException {
        restartAndFollow();
    }

    @Override
    public Restarted restartAndFollow() throws RestartException {
        long old = runningPid();
        send(old, spec.signal());
        long started = System.nanoTime();
        if (!spec.newPid()) {
            LOG.info("{}: sent {} to pid {}; the same pid carries on", app, spec.signal(), old);
            return new Followed(old, old, "sent " + spec.signal() + " to pid " + old);
        }
        long fresh = awaitNewPid(old, started);
        LOG.info("{}: sent {} to pid {}; new pid {} in {} after {} ms", app, spec.signal(), old, fresh,
                pidFile, millisSince(started));
        return new Followed(old, fresh, "sent " + spec.signal() + " to pid " + old + ", new pid " + fresh);
    }

    @Override
    public void checkRunning() throws RestartException {
        runningPid();
    }

    @Override
    public String describe() {
        return "signal " + spec.signal() + " to the pid in " + spec.pidfile()
                + (spec.newPid() ? ", expecting a new pid" : "")
                + spec.thenOldSignal().map(s -> ", then " + s + " to the old pid").orElse("");
    }

    /** The live pid in the pid file, checked as one healthgate may signal. */
    private long runningPid() throws RestartException {
        OptionalLong pid = pidFile.read();
        if (pid.isEmpty()) {
            throw new RestartException("cannot restart " + app + ": pid file " + pidFile.describe()
                    + " (is the app running?)");
        }
        long p = pid.getAsLong();
        if (!Libc.isAlive(p)) {
            throw new RestartException("cannot restart " + app + ": pid file " + pidFile + " holds " + p
                    + ", which is not running");
        }
        checkOwner(p);
        return p;
    }

    /**
     * Refuses to signal a process that the pid file's owner does not own (a root-owned file is trusted),
     * and names the uids when healthgate itself may not signal it.
     */
    private void checkOwner(long pid) throws RestartException {
        Optional<Integer> processUid = Proc.ownerUid(pid);
        int fileUid;
        try {
            fileUid = ((Number) Files.getAttribute(spec.pidfile(), "unix:uid")).intValue();
        } catch (IOException | UnsupportedOperationException e) {
            return; // gone or unreadable: the signal itself reports what is wrong
        }
        if (processUid.isPresent() && fileUid != 0 && fileUid != processUid.get()) {
            throw new RestartException("refusing to signal pid " + pid + " (uid " + processUid.get() + "): pid file "
                    + pidFile + " belongs to uid " + fileUid + ", not to that process's owner");
        }
        int me = Libc.effectiveUid();
        if (me != 0 && processUid.isPresent() && processUid.get() != me) {
            throw new RestartException("cannot signal " + app + "'s pid " + pid + ": it belongs to uid "
                    + processUid.get() + " and healthgate runs as uid " + me
                    + " (run healthgate as that user, or as root)");
        }
    }

    private void send(long pid, Signal signal) throws RestartException {
        try {
            Libc.kill(pid, signal);
        } catch (SignalException e) {
            throw new RestartException("restart of " + app + " failed: " + e.getMessage());
        }
    }

    /** Waits until the pid file holds a live pid other than {@code old}; fails at once when that cannot come. */
    private long awaitNewPid(long old, long started) throws RestartException {
        long deadline = started + timeout.toNanos();
        while (true) {
            OptionalLong now = pidFile.read();
            if (now.isPresent() && now.getAsLong() != old) {
                long fresh = now.getAsLong();
                if (Libc.isAlive(fresh)) {
                    return fresh;
                }
                throw new RestartException("the new process of " + app + " (pid " + fresh + " in " + pidFile
                        + ") exited before it was ready" + oldNote(old));
            }
            if (!Libc.isAlive(old) && !pidFileChanged(old)) {
                throw new RestartException("pid " + old + " of " + app + " exited after " + spec.signal()
                        + " and no new pid appeared in " + pidFile);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new RestartException("the pid in " + pidFile + " did not change within " + timeout.toMillis()
                        + " ms after " + spec.signal() + " to pid " + old + " (" + pidFile.describe()
                        + "): " + app + " did not restart" + oldNote(old));
            }
            pause();
        }
    }

    private boolean pidFileChanged(long old) {
        OptionalLong again = pidFile.read();
        return again.isPresent() && again.getAsLong() != old;
    }

    private static String oldNote(long old) {
        return Libc.isAlive(old) ? "; the old process (pid " + old + ") is still running" : "";
    }

    /** The restart just carried out: the old and the new pid (the same when the pid carries on). */
    private final class Followed implements Restarted {
        private final long old;
        private final long fresh;
        private final String note;

        Followed(long old, long fresh, String note) {
            this.old = old;
            this.fresh = fresh;
            this.note = note;
        }

        @Override
        public void checkAlive() throws RestartException {
            if (!Libc.isAlive(fresh)) {
                throw new RestartException(old == fresh
                        ? app + " (pid " + fresh + ") exited after " + spec.signal() + " before it was ready"
                        : "the new process of " + app + " (pid " + fresh + ") exited before it was ready"
                                + oldNote(old));
            }
        }

        @Override
        public String onReady() throws RestartException {
            Optional<Signal> thenOld = spec.thenOldSignal();
            if (thenOld.isEmpty() || old == fresh) {
                return null;
            }
            OptionalLong now = pidFile.read();
            if (now.isEmpty() || now.getAsLong() != fresh || !Libc.isAlive(fresh)) {
                throw new RestartException("the new process of " + app + " (pid " + fresh + ") did not last: "
                        + pidFile.describe() + "; " + thenOld.get() + " not sent to the old pid " + old);
            }
            try {
                Libc.kill(old, thenOld.get());
            } catch (SignalException e) {
                if (e.kind() == SignalException.Kind.NO_SUCH_PROCESS) {
                    return "old pid " + old + " already gone";
                }
                throw new RestartException("cannot finish the restart of " + app + ": " + e.getMessage());
            }
            long sent = System.nanoTime();
            long deadline = sent + timeout.toNanos();
            while (Libc.isAlive(old)) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn("{}: old pid {} still running {} ms after {}", app, old, timeout.toMillis(), thenOld.get());
                    return "sent " + thenOld.get() + " to old pid " + old + "; still running after "
                            + timeout.toMillis() + " ms";
                }
                pause();
            }
            return "sent " + thenOld.get() + " to old pid " + old + "; it exited after " + millisSince(sent) + " ms";
        }

        @Override
        public String note() {
            return note;
        }

        @Override
        public boolean handsOver() {
            return spec.thenOld() != null && old != fresh;
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void pause() throws RestartException {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestartException("interrupted while waiting for the restart");
        }
    }
}
