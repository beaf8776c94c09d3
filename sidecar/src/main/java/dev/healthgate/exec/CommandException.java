package dev.healthgate.exec;

import java.util.List;

/** An external program failed: it could not start, exited non-zero, or ran past its bound. */
public final class CommandException extends Exception {

    private final List<String> command;
    private final int exitCode;

    public CommandException(List<String> command, int exitCode, String message) {
        super(message);
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
    }

    public List<String> command() {
        return command;
    }

    /** The exit code, or -1 when the program did not start or was stopped at its bound. */
    public int exitCode() {
        return exitCode;
    }
}
