package dev.healthgate.restart;

import dev.healthgate.config.SuperviseSpec;
import dev.healthgate.exec.CommandException;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.os.Libc;
import dev.healthgate.os.Signal;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The argument list that starts a supervised app. Where {@code setpriv} (util-linux) is on the PATH the
 * app runs through it: to switch to {@code user}, and to get its stop signal should healthgate itself die
 * (the parent-death signal), so that a restarted healthgate never finds an orphan holding the app's port.
 * setpriv replaces itself with the app: the pid healthgate sees is the app's.
 *
 * <p>A child of the JVM inherits its signal mask, in which SIGQUIT is blocked (the JVM keeps it for
 * thread dumps): an app stopped or restarted with QUIT (Unicorn) would never see it. Where coreutils'
 * {@code env} knows {@code --default-signal} (8.31 and later), the app is started through it, with every
 * signal unblocked and at its default, as a shell or systemd would start it.
 */
final class LaunchCommand {

    private static final Duration ID_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Run as {@code python3 -c SOCKET_HELPER COMMAND...} (a constant: nothing from the config is code):
     * moves the held socket from stdin to fd 3, gives the app /dev/null as stdin, sets systemd's
     * {@code LISTEN_FDS=1} and {@code LISTEN_PID} (its own pid, which the app keeps: exec) and execs the
     * command.
     */
    static final String SOCKET_HELPER = String.join("\n",
            "import os, sys",
            "os.dup2(0, 3)",
            "null = os.open('/dev/null', os.O_RDONLY)",
            "os.dup2(null, 0)",
            "os.close(null)",
            "os.environ['LISTEN_FDS'] = '1'",
            "os.environ['LISTEN_PID'] = str(os.getpid())",
            "os.environ.pop('LISTEN_FDNAMES', None)",
            "os.execvp(sys.argv[1], sys.argv[1:])");

    private LaunchCommand() {
    }

    /** Checks what can be checked before the first start (directory, user, privileges) and builds the list. */
    static List<String> build(String app, SuperviseSpec spec, CommandRunner runner) throws RestartException {
        if (spec.dir() != null && !Files.isDirectory(spec.dir())) {
            throw new RestartException("cannot start " + app + ": its directory " + spec.dir() + " does not exist");
        }
        Optional<Path> setpriv = onPath("setpriv");
        List<String> args = new ArrayList<>();
        if (setpriv.isPresent()) {
            args.add(setpriv.get().toString());
        }
        if (spec.user() != null) {
            int uid = id(app, spec.user(), "-u", runner);
            int gid = id(app, spec.user(), "-g", runner);
            int me = Libc.effectiveUid();
            if (uid != me) {
                if (me != 0) {
                    throw new RestartException("cannot run " + app + " as user " + spec.user() + " (uid " + uid
                            + "): that needs root, and healthgate runs as uid " + me);
                }
                if (setpriv.isEmpty()) {
                    throw new RestartException("cannot run " + app + " as user " + spec.user()
                            + ": that needs setpriv (util-linux) on the PATH");
                }
                args.add("--reuid=" + uid);
                args.add("--regid=" + gid);
                args.add(spec.user().chars().allMatch(Character::isDigit) ? "--clear-groups" : "--init-groups");
            }
        }
        if (setpriv.isPresent()) {
            args.add("--pdeathsig");
            args.add(spec.stopSignal().name());
            args.add("--");
        }
        Optional<Path> env = onPath("env");
        if (env.isPresent() && resetsSignals(env.get(), runner)) {
            args.add(env.get().toString());
            args.add("--default-signal");
        } else if (spec.stopSignal() == Signal.QUIT) {
            throw new RestartException("cannot stop " + app + " with QUIT: a child of the JVM starts with QUIT"
                    + " blocked, and env --default-signal (coreutils 8.31 or later), which unblocks it, is missing");
        }
        if (spec.holdSocket()) {
            Path python = onPath("python3").orElseThrow(() -> new RestartException("cannot hand " + app
                    + " its held socket: that needs python3 on the PATH (supervise.hold-socket)"));
            args.addAll(List.of(python.toString(), "-c", SOCKET_HELPER));
        }
        args.addAll(spec.command());
        return List.copyOf(args);
    }

    /** Whether the app runs through setpriv (and so dies with healthgate). */
    static boolean throughSetpriv(List<String> launch) {
        return launch.get(0).endsWith("/setpriv");
    }

    private static boolean resetsSignals(Path env, CommandRunner runner) {
        try {
            return runner.run(List.of(env.toString(), "--default-signal", "true"), ID_TIMEOUT).exitCode() == 0;
        } catch (CommandException e) {
            return false;
        }
    }

    private static int id(String app, String user, String flag, CommandRunner runner) throws RestartException {
        try {
            return Integer.parseInt(runner.check(List.of("id", flag, "--", user), ID_TIMEOUT).stdout().strip());
        } catch (CommandException | NumberFormatException e) {
            throw new RestartException("cannot run " + app + " as user " + user + ": no such user ("
                    + e.getMessage() + ")");
        }
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
