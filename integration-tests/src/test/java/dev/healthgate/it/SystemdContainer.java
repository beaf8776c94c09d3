package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * systemd as pid 1 in a container ({@code systemd-nspawn}, through
 * {@code integration-tests/src/test/systemd/systemd-container}), for a real start of healthgate's units on a
 * machine whose own pid 1 is not systemd. The container's root is an overlay of this machine's (its writes stay
 * in a directory of its own), it runs in this JVM's network namespace (its ports are the test's) and it boots
 * {@code sysinit.target} only (no service or timer of this machine), with the unit under test as
 * {@code healthgate.service}.
 */
final class SystemdContainer implements AutoCloseable {
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration POWER_OFF = Duration.ofSeconds(30);

    private final Path dir;
    private final Path logs;
    private final ManagedProcess nspawn;
    private final long leader;

    private SystemdContainer(Path dir, Path logs, ManagedProcess nspawn, long leader) {
        this.dir = dir;
        this.logs = logs;
        this.nspawn = nspawn;
        this.leader = leader;
    }

    /**
     * Boots a container with {@code unit} installed as healthgate.service and {@code bind} bound at the same
     * path; returns once systemd in it has finished booting. Skips the test where systemd-nspawn is missing
     * (scripts/test installs it: Debian package systemd-container).
     */
    static SystemdContainer boot(Path script, Path unit, Path bind, Path logs) {
        Assumptions.assumeTrue(onPath("systemd-nspawn"),
                "no systemd-nspawn (Debian package systemd-container): no container to start systemd in");
        NetNs.requireOwnNamespace();
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "hg-systemd-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the container's directory", e);
        }
        ManagedProcess nspawn = ManagedProcess.start("systemd-nspawn", List.of("unshare", "--mount",
                "--propagation", "private", "--", script.toString(), dir.toString(),
                "/proc/" + ProcessHandle.current().pid() + "/ns/net", bind.toString(), unit.toString()),
                logs.resolve("systemd-nspawn.log"));
        long[] pid1 = new long[1];
        try {
            Await.until("systemd to run as pid 1 of the container", BOOT, () -> {
                if (!nspawn.isAlive()) {
                    throw new AssertionError("systemd-nspawn exited with " + nspawn.exitCode() + ":\n"
                            + nspawn.logTail(30));
                }
                Optional<ProcessHandle> systemd = ProcessHandle.of(nspawn.pid()).stream()
                        .flatMap(ProcessHandle::children)
                        .filter(p -> p.info().command().map(c -> c.endsWith("/systemd")).orElse(false))
                        .findFirst();
                systemd.ifPresent(p -> pid1[0] = p.pid());
                return systemd.isPresent();
            }, () -> nspawn.logTail(30));
            SystemdContainer container = new SystemdContainer(dir, logs, nspawn, pid1[0]);
            // until systemd's bus is up, systemctl cannot connect ("Failed to connect to bus"): ask again;
            // "degraded" would be a unit of this machine failing in the container, not the test's concern
            CommandResult[] last = new CommandResult[1];
            Await.until("systemd in the container to finish booting", BOOT, () -> {
                last[0] = container.run(BOOT, "systemctl", "is-system-running", "--wait");
                return List.of("running", "degraded").contains(last[0].stdout().strip());
            }, () -> (last[0] == null ? "" : last[0].describe()) + "\n" + nspawn.logTail(30));
            return container;
        } catch (RuntimeException | Error e) {
            nspawn.stop(POWER_OFF);
            delete(dir);
            throw e;
        }
    }

    /** Runs {@code args} inside the container (its mounts, pids, users and systemd), as root. */
    CommandResult run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--target", Long.toString(leader), "--mount",
                "--uts", "--ipc", "--pid", "--cgroup", "--"));
        command.addAll(List.of(args));
        return Command.of(command).timeout(timeout).logTo(logs, "container-" + args[0]).run();
    }

    /** {@code systemctl show healthgate -p NAME --value}. */
    String unitProperty(String name) {
        return run(Duration.ofSeconds(20), "systemctl", "show", "healthgate", "-p", name, "--value").stdout().strip();
    }

    /** The unit's journal, for a failure's message. */
    String journal() {
        return run(Duration.ofSeconds(20), "journalctl", "--no-pager", "-o", "cat", "-u", "healthgate", "-n", "40")
                .stdout();
    }

    /** A line of {@code /proc/PID/status} inside the container ({@code key} with its colon). */
    String procStatus(String pid, String key) {
        return run(Duration.ofSeconds(10), "cat", "/proc/" + pid + "/status").stdout().lines()
                .filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(key.length()).strip())
                .orElseThrow(() -> new AssertionError("no " + key + " line for pid " + pid + " in the container"));
    }

    /**
     * Powers systemd off (it stops every unit) and waits for the container to end, killing what is left past
     * {@link #POWER_OFF}; then removes its files. A healthgate still running (a test that failed half-way) is
     * killed first: its drain would wait for a HAProxy that is gone.
     */
    @Override
    public void close() {
        Cleanup cleanup = new Cleanup();
        cleanup.run(() -> run(Duration.ofSeconds(20), "systemctl", "kill", "--signal=SIGKILL", "healthgate"));
        cleanup.run(() -> ProcessHandle.of(nspawn.pid()).ifPresent(handle -> {
            handle.destroy(); // SIGTERM: nspawn powers the container off
            try {
                handle.onExit().get(POWER_OFF.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // its descendants include the container's pid 1: killing that ends everything in the container
                ProcessTree.kill(handle, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ProcessTree.kill(handle, Duration.ofSeconds(10));
            }
        }));
        cleanup.run(() -> nspawn.waitForExit(Duration.ofSeconds(5)));
        cleanup.run(() -> delete(dir));
        cleanup.throwIfFailed("stopping the systemd container");
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    /**
     * Removes what the container wrote ({@code upper}, {@code work}) and the empty mount points. Never walks
     * {@code lower} or {@code root}: while a mount were left on them they would be this machine's root, and
     * their removal fails on a directory that is not empty.
     */
    private static void delete(Path dir) {
        try {
            for (String tree : List.of("upper", "work")) {
                Path top = dir.resolve(tree);
                if (Files.isDirectory(top)) {
                    TestDirs.deleteTree(top);
                }
            }
            for (String mountPoint : List.of("lower", "root")) {
                Files.deleteIfExists(dir.resolve(mountPoint));
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the container's directory " + dir, e);
        }
    }
}
