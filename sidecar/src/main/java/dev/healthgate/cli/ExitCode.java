package dev.healthgate.cli;

/** The CLI's exit codes, so that shell hooks and Ansible can tell failures apart. */
public final class ExitCode {

    /** Done. */
    public static final int OK = 0;
    /** The operation ran and failed: the app is FAILED (see the reason printed). */
    public static final int FAILED = 1;
    /** Bad arguments or a bad config file; nothing was changed. */
    public static final int USAGE = 2;
    /** The control API could not be reached. */
    public static final int UNREACHABLE = 3;
    /** A cycle for that app is already running (HTTP 409). */
    public static final int BUSY = 4;
    /** No app of that name (HTTP 404). */
    public static final int UNKNOWN_APP = 5;

    private ExitCode() {
    }
}
