package dev.healthgate.os;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls healthgate needs, through jnr-ffi rather than by running {@code kill}: sending a
 * signal, asking whether a pid is alive, and the effective uid. Thread-safe; blocking only as long as
 * the system call.
 */
public final class Libc {

    private static final int EPERM = 1;
    private static final int ESRCH = 3;

    /** The binding itself; loaded on first use so that a machine without it fails with a clear reason. */
    public interface Native {
        @SaveError
        int kill(int pid, int signal);

        int geteuid();

        int getpid();
    }

    private static final class Holder {
        static final Native LIBC = LibraryLoader.create(Native.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    private Libc() {
    }

    /**
     * Sends {@code signal} to {@code pid}.
     *
     * @throws SignalException naming the pid and why: it does not exist, or it is not ours to signal
     */
    public static void kill(long pid, Signal signal) throws SignalException {
        send(pid, signal.number(), signal.name());
    }

    /**
     * Whether {@code pid} names a live process: {@code kill(pid, 0)} succeeds or says it is not ours
     * (it exists), and it is not a zombie waiting to be reaped.
     */
    public static boolean isAlive(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false;
        }
        if (Holder.LIBC.kill((int) pid, 0) != 0 && Holder.RUNTIME.getLastError() != EPERM) {
            return false;
        }
        return !Proc.isZombie(pid);
    }

    /** The effective uid of healthgate itself. */
    public static int effectiveUid() {
        return Holder.LIBC.geteuid();
    }

    /** healthgate's own pid. */
    public static long pid() {
        return Holder.LIBC.getpid();
    }

    private static void send(long pid, int number, String name) throws SignalException {
        if (pid <= 1 || pid > Integer.MAX_VALUE) {
            // 0, -1 and negative pids signal groups or everything; 1 is init: never a restart target
            throw new SignalException(SignalException.Kind.REFUSED, pid, "refusing to send " + name + " to pid " + pid);
        }
        if (Holder.LIBC.kill((int) pid, number) == 0) {
            return;
        }
        int errno = Holder.RUNTIME.getLastError();
        if (errno == ESRCH) {
            throw new SignalException(SignalException.Kind.NO_SUCH_PROCESS, pid,
                    "cannot send " + name + " to pid " + pid + ": no such process");
        }
        if (errno == EPERM) {
            throw new SignalException(SignalException.Kind.NOT_PERMITTED, pid,
                    "cannot send " + name + " to pid " + pid + ": not permitted (" + ownerNote(pid) + ")");
        }
        throw new SignalException(SignalException.Kind.OTHER, pid,
                "cannot send " + name + " to pid " + pid + ": errno " + errno);
    }

    /** What an operator needs to fix a refused signal: who owns the process, and who we are. */
    static String ownerNote(long pid) {
        return Proc.ownerUid(pid).map(uid -> "it belongs to uid " + uid).orElse("its owner is unknown")
                + ", healthgate runs as uid " + effectiveUid();
    }
}
