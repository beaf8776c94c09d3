package dev.healthgate.restart;

import java.util.List;

/**
 * The children a master had when it was signalled to restart in place (Puma's USR1 and USR2, Gunicorn's
 * HUP keep the master's pid): the restart is over once none of them is left, which is how healthgate
 * sees its end although the pid does not change. Blocking (reads /proc through {@link ProcessHandle}).
 */
final class OldWorkers {

    private final List<ProcessHandle> workers;

    private OldWorkers(List<ProcessHandle> workers) {
        this.workers = workers;
    }

    /** The live children of {@code pid} now; none when it has none or is gone. */
    static OldWorkers of(long pid) {
        return new OldWorkers(ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(List.of()));
    }

    boolean none() {
        return workers.isEmpty();
    }

    /**
     * The pids of those still running. A {@link ProcessHandle} also compares the start time, so a
     * reused pid does not count as an old worker.
     */
    List<Long> running() {
        return workers.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    }

    @Override
    public String toString() {
        return workers.stream().map(p -> Long.toString(p.pid())).toList().toString();
    }
}
