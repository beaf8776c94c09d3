package dev.healthgate.cycle;

/** The app's state could not be written (or read back) durably; the message names the file. */
public final class JournalException extends Exception {

    private static final long serialVersionUID = 1L;

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalException(String message) {
        super(message);
    }
}
