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
 * A server whose new process writes another file while the old one lives (Gunicorn's USR2:
 * {@code <pidfile>.2}) is followed through {@code new-pidfile}; once the old process is gone, the
 * restart ends when the pid file names the new pid (Gunicorn renames its file then). When the pid
 * stays (Puma USR1/USR2, Gunicorn HUP), the restart ends once the master's children at the time of the
 * signal (its old workers) are all gone, after which readiness is checked again: the new workers answer.
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
    /** Where the new pid appears during a hand-over: {@code new-pidfile}, else the pid file. */
    private final PidFile handOver;

    public SignalRestart(String app, SignalSpec spec, Duration timeout) {
        this.app = app;
        this.spec = spec;
        this.timeout = timeout;
        this.pidFile = new PidFile(spec.pidfile());
        this.handOver = new PidFile(spec.handOverPidfile());
    }

    @Override
    public void restart() throws RestartException {
        restartAndFollow();
    }

    @Override
    public Restarted restartAndFollow() throws RestartException {
        long old = runningPid();
        OldWorkers workers = spec.newPid() ? null : OldWorkers.of(old);
        send(old, spec.signal());
        long started = System.nanoTime();
        if (!spec.newPid()) {
            LOG.info("{}: sent {} to pid {}; the same pid carries on, old workers {}", app, spec.signal(), old, workers);
            return new InPlace(old, workers);
        }
        long fresh = awaitNewPid(old, started);
        LOG.info("{}: sent {} to pid {}; new pid {} in {} after {} ms", app, spec.signal(), old, fresh,
                handOver, millisSince(started));
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
                + (spec.newPidfile() != null ? " in " + spec.newPidfile() : "")
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

    /** Waits until the hand-over pid file holds a live pid other than {@code old}; fails at once when that cannot come. */
    private long awaitNewPid(long old, long started) throws RestartException {
        long deadline = started + timeout.toNanos();
        while (true) {
            OptionalLong now = handOver.read();
            if (now.isPresent() && now.getAsLong() != old) {
                long fresh = now.getAsLong();
                if (Libc.isAlive(fresh)) {
                    return fresh;
                }
                throw new RestartException("the new process of " + app + " (pid " + fresh + " in " + handOver
                        + ") exited before it was ready" + oldNote(old));
            }
            if (!Libc.isAlive(old) && !pidFileChanged(old)) {
                throw new RestartException("pid " + old + " of " + app + " exited after " + spec.signal()
                        + " and no new pid appeared in " + handOver);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new RestartException("the pid in " + handOver + " did not change within " + timeout.toMillis()
                        + " ms after " + spec.signal() + " to pid " + old + " (" + handOver.describe()
                        + "): " + app + " did not restart" + oldNote(old));
            }
            pause();
        }
    }

    private boolean pidFileChanged(long old) {
        OptionalLong again = handOver.read();
        return again.isPresent() && again.getAsLong() != old;
    }

    private static String oldNote(long old) {
        return Libc.isAlive(old) ? "; the old process (pid " + old + ") is still running" : "";
    }

    /** A restart that left a new process: the old and the new pid. */
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
                throw new RestartException("the new process of " + app + " (pid " + fresh
                        + ") exited before it was ready" + oldNote(old));
            }
        }

        @Override
        public String onReady() throws RestartException {
            Optional<Signal> thenOld = spec.thenOldSignal();
            if (thenOld.isEmpty()) {
                return null;
            }
            OptionalLong now = handOver.read();
            if (now.isEmpty() || now.getAsLong() != fresh || !Libc.isAlive(fresh)) {
                throw new RestartException("the new process of " + app + " (pid " + fresh + ") did not last: "
                        + handOver.describe() + "; " + thenOld.get() + " not sent to the old pid " + old);
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
            String exited = "sent " + thenOld.get() + " to old pid " + old + "; it exited after " + millisSince(sent) + " ms";
            return spec.newPidfile() == null ? exited : exited + awaitPidFileNames(deadline);
        }

        /**
         * After the old process is gone, the new one takes the pid file over (Gunicorn renames its
         * {@code .2} file within a second): the next restart reads the pid file, so wait, bounded, for it.
         */
        private String awaitPidFileNames(long deadline) throws RestartException {
            while (true) {
                OptionalLong now = pidFile.read();
                if (now.isPresent() && now.getAsLong() == fresh) {
                    return "; " + pidFile + " names pid " + fresh;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new RestartException(app + " restarted as pid " + fresh + ", but " + pidFile
                            + " does not name it (" + pidFile.describe() + "): a later restart would signal"
                            + " the wrong pid; fix the pid file");
                }
                pause();
            }
        }

        @Override
        public String note() {
            return note;
        }

        @Override
        public boolean handsOver() {
            return spec.thenOld() != null;
        }
    }

    /** A restart that keeps the master's pid: followed until its old workers are gone. */
    private final class InPlace implements Restarted {
        private final long pid;
        private final OldWorkers workers;

        InPlace(long pid, OldWorkers workers) {
            this.pid = pid;
            this.workers = workers;
        }

        @Override
        public void checkAlive() throws RestartException {
            if (!Libc.isAlive(pid)) {
                throw new RestartException(app + " (pid " + pid + ") exited after " + spec.signal() + " before it was ready");
            }
        }

        /** Waits, bounded, until the old workers are gone; a worker left running is noted, not fatal. */
        @Override
        public String onReady() throws RestartException {
            if (workers.none()) {
                return null;
            }
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            while (!workers.running().isEmpty()) {
                checkAlive();
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn("{}: old workers {} of pid {} still running {} ms after {}", app, workers.running(), pid,
                            timeout.toMillis(), spec.signal());
                    return "old workers " + workers.running() + " still running after " + timeout.toMillis() + " ms";
                }
                pause();
            }
            return "old workers " + workers + " gone after " + millisSince(start) + " ms";
        }

        @Override
        public String note() {
            return "sent " + spec.signal() + " to pid " + pid;
        }

        @Override
        public boolean handsOver() {
            return !workers.none();
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
