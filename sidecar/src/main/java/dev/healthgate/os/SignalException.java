package dev.healthgate.os;

/** A signal was not delivered; the message names the signal, the pid and why. */
public final class SignalException extends Exception {

    /** Why a signal was not delivered. */
    public enum Kind {
        /** The pid names no process (it exited). */
        NO_SUCH_PROCESS,
        /** The process belongs to another user and healthgate is not root. */
        NOT_PERMITTED,
        /** A pid healthgate never signals (0, 1, negative: groups, init, everything). */
        REFUSED,
        /** Any other errno. */
        OTHER
    }

    private final Kind kind;
    private final long pid;

    public SignalException(Kind kind, long pid, String message) {
        super(message);
        this.kind = kind;
        this.pid = pid;
    }

    public Kind kind() {
        return kind;
    }

    public long pid() {
        return pid;
    }
}
