package dev.healthgate.cli;

/** Ends a command with an exit code and a message for the operator. */
public final class ExitException extends RuntimeException {

    private final int code;

    public ExitException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
