package dev.healthgate.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops a process and the processes it started: SIGTERM to all of them at once (a launcher script
 * may not forward signals to its java), then SIGKILL to what is still alive after a bound.
 */
public final class ProcessTree {
    private ProcessTree() {}

    /**
     * Sends SIGTERM to {@code root} and its descendants, waits up to {@code grace} for all of them
     * to exit, then kills the rest.
     *
     * @return true if everything exited within {@code grace}
     */
    public static boolean stop(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean clean = true;
        for (ProcessHandle p : tree) {
            if (!waitFor(p, deadline)) {
                clean = false;
            }
        }
        if (!clean) {
            kill(tree);
        }
        return clean;
    }

    /** Kills {@code root} and its descendants at once and waits (bounded) until they are gone. */
    public static void kill(ProcessHandle root, Duration bound) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        kill(tree);
        long deadline = System.nanoTime() + bound.toNanos();
        tree.forEach(p -> waitFor(p, deadline));
    }

    private static void kill(List<ProcessHandle> tree) {
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean waitFor(ProcessHandle p, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (!p.isAlive()) {
            return true;
        }
        if (left <= 0) {
            return false;
        }
        try {
            p.onExit().get(left, TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }
}
