package dev.healthgate.restart;

import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.os.Libc;
import dev.healthgate.os.Signal;
import dev.healthgate.os.SignalException;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strategy {@code supervise}: healthgate runs the app as its child. It starts it (argument list, working
 * directory, environment, user), copies its output into healthgate's log under the app's name, stops it
 * with the stop signal, then SIGKILL after {@code stop-timeout}, and tells a listener when it exits without
 * being asked to, so that the gates close and the app is started again.
 *
 * <p>All methods block (they wait for processes): call them from a worker thread. Processes are started
 * from one long-lived thread of this class, because the parent-death signal that setpriv sets (see
 * {@link LaunchCommand}) fires when the thread that started the process ends.
 */
public final class SuperviseRestart implements RestartStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SuperviseRestart.class);
    private static final long KILL_WAIT_MS = 5_000;
    private static final long OUTPUT_WAIT_MS = 500;

    private final String app;
    private final SuperviseSpec spec;
    private final List<String> launch;
    private final Logger output;
    private final ExecutorService starter;
    /** The listening socket healthgate holds for the app (supervise.hold-socket), or null. */
    private HeldSocket held;
    private volatile Consumer<String> onUnexpectedExit = reason -> LOG.warn("{}", reason);

    /** Guarded by this: the current child, or null before the first start. */
    private Child child;

    private SuperviseRestart(String app, SuperviseSpec spec, List<String> launch) {
        this.app = app;
        this.spec = spec;
        this.launch = launch;
        this.output = LoggerFactory.getLogger(app.replace('.', '_'));
        this.starter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "supervise-" + app);
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the directory, the user and the privileges the app needs; starts nothing. */
    public static SuperviseRestart prepare(String app, SuperviseSpec spec, CommandRunner runner)
            throws RestartException {
        return prepare(app, spec, runner, null, 0);
    }

    /**
     * As {@link #prepare(String, SuperviseSpec, CommandRunner)}; with {@code supervise.hold-socket} the
     * app's {@code host}:{@code port} is bound by healthgate at the first start and handed to each process.
     */
    public static SuperviseRestart prepare(String app, SuperviseSpec spec, CommandRunner runner, String host, int port)
            throws RestartException {
        List<String> launch = LaunchCommand.build(app, spec, runner);
        if (!LaunchCommand.throughSetpriv(launch)) {
            LOG.warn("{}: setpriv (util-linux) is not on the PATH: the app will outlive healthgate should healthgate die",
                    app);
        }
        SuperviseRestart s = new SuperviseRestart(app, spec, launch);
        if (spec.holdSocket()) {
            s.held = new HeldSocket(app, host, port);
        }
        return s;
    }

    /** Who hears of an exit healthgate did not ask for; told on a background thread with the reason. */
    public void onUnexpectedExit(Consumer<String> listener) {
        this.onUnexpectedExit = listener;
    }

    /** Starts the app unless it runs already; returns its pid. */
    public synchronized long start() throws RestartException {
        if (child != null && child.process.isAlive()) {
            return child.process.pid();
        }
        child = spawn();
        return child.process.pid();
    }

    /**
     * Stops the app: the stop signal, then SIGKILL (to it and what it started) after stop-timeout. Returns
     * at once when it is not running.
     */
    public synchronized void stop() throws RestartException {
        Child c = child;
        if (c == null || !c.process.isAlive()) {
            return;
        }
        c.expected = true;
        long pid = c.process.pid();
        LOG.info("{}: stopping pid {} with {}", app, pid, spec.stopSignal());
        try {
            Libc.kill(pid, spec.stopSignal());
        } catch (SignalException e) {
            if (e.kind() == SignalException.Kind.NO_SUCH_PROCESS) {
                return;
            }
            throw new RestartException("cannot stop " + app + ": " + e.getMessage());
        }
        long t0 = System.nanoTime();
        if (waitFor(c.process, spec.stopTimeout().toMillis())) {
            LOG.info("{}: pid {} stopped after {} in {} ms", app, pid, spec.stopSignal(), millisSince(t0));
            return;
        }
        LOG.warn("{}: pid {} still running {} ms after {}: sending KILL", app, pid, spec.stopTimeout().toMillis(),
                spec.stopSignal());
        List<ProcessHandle> descendants = c.process.descendants().toList();
        try {
            Libc.kill(pid, Signal.KILL);
        } catch (SignalException e) {
            if (e.kind() != SignalException.Kind.NO_SUCH_PROCESS) {
                throw new RestartException("cannot kill " + app + ": " + e.getMessage());
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!waitFor(c.process, KILL_WAIT_MS)) {
            throw new RestartException(app + " (pid " + pid + ") did not exit even " + KILL_WAIT_MS
                    + " ms after SIGKILL");
        }
    }

    /** Whether the app's process is running now. */
    public synchronized boolean isRunning() {
        return child != null && child.process.isAlive();
    }

    /** The pid of the app's process while it runs, or -1. */
    public synchronized long runningPid() {
        return child != null && child.process.isAlive() ? child.process.pid() : -1;
    }

    /** The pid of the app's process, or -1 when none was started. */
    public synchronized long pid() {
        return child == null ? -1 : child.process.pid();
    }

    @Override
    public void restart() throws RestartException {
        restartAndFollow();
    }

    @Override
    public Restarted restartAndFollow() throws RestartException {
        Child started;
        synchronized (this) {
            stop();
            child = spawn();
            started = child;
        }
        return new Restarted() {
            @Override
            public void checkAlive() throws RestartException {
                if (!started.process.isAlive()) {
                    throw new RestartException(started.describeExit(" before it was ready"));
                }
            }

            @Override
            public String note() {
                return "started pid " + started.process.pid();
            }
        };
    }

    @Override
    public void checkRunning() throws RestartException {
        Child c;
        synchronized (this) {
            c = child;
        }
        if (c == null) {
            throw new RestartException(app + " was never started");
        }
        if (!c.process.isAlive()) {
            throw new RestartException(app + " is not running: " + c.describeExit(""));
        }
    }

    @Override
    public String describe() {
        return "supervise " + String.join(" ", spec.command());
    }

    private Child spawn() throws RestartException {
        Future<Process> started = starter.submit(() -> {
            ProcessBuilder builder = new ProcessBuilder(launch)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (spec.dir() != null) {
                builder.directory(spec.dir().toFile());
            }
            // systemd's socket is healthgate's: an app that speaks sd_notify (Puma) would report its own
            // readiness as healthgate's, which systemd refuses and logs (NotifyAccess=main)
            builder.environment().remove("NOTIFY_SOCKET");
            builder.environment().putAll(spec.env());
            return held == null ? builder.start() : held.handTo(builder);
        });
        Process process;
        try {
            process = started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RestartException r) {
                throw r;
            }
            String why = cause instanceof IOException ? cause.getMessage() : String.valueOf(cause);
            throw new RestartException("cannot start " + app + " (" + String.join(" ", spec.command()) + "): " + why);
        } catch (java.util.concurrent.TimeoutException e) {
            started.cancel(true);
            throw new RestartException("cannot start " + app + ": starting the process took over 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestartException("interrupted while starting " + app);
        }
        Child c = new Child(process);
        long pid = process.pid();
        c.pumps.add(OutputPump.start(process.getInputStream(), output, "", c.tail, app + "-stdout-" + pid));
        c.pumps.add(OutputPump.start(process.getErrorStream(), output, "stderr: ", c.tail, app + "-stderr-" + pid));
        process.onExit().thenRun(() -> exited(c));
        LOG.info("{}: started pid {}: {}", app, pid, String.join(" ", spec.command()));
        return c;
    }

    private void exited(Child c) {
        if (c.expected) {
            return;
        }
        onUnexpectedExit.accept(c.describeExit(" unexpectedly"));
    }

    private static boolean waitFor(Process p, long millis) throws RestartException {
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestartException("interrupted while waiting for the app to stop");
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** One process of the app, and whether healthgate asked it to stop. */
    private final class Child {
        final Process process;
        final OutputPump.Tail tail = new OutputPump.Tail();
        final List<Thread> pumps = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean expected;

        Child(Process process) {
            this.process = process;
        }

        /**
         * {@code web1 (pid 1234) exited with code 1 WHEN; last output: ...}. Only once it has exited.
         */
        String describeExit(String when) {
            awaitOutput();
            int code = process.exitValue();
            // Java reports a death by signal N as 128 + N, as shells do
            String how = code > 128 && code < 160 ? "was killed by SIG" + Signal.nameOf(code - 128)
                    : "exited with code " + code;
            return app + " (pid " + process.pid() + ") " + how + when + tail.describe();
        }

        /** Gives the output copiers a moment to take the last lines the process wrote. */
        private void awaitOutput() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OUTPUT_WAIT_MS);
            for (Thread t : pumps) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
