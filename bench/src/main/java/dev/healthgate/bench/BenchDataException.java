package dev.healthgate.bench;

/** A bench data file that is missing or malformed; the message names the file, the line and the value. */
public final class BenchDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchDataException(String message) {
        super(message);
    }
}
