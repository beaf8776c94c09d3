package dev.healthgate.cycle;

/**
 * Where the cycle writes each app's {@link AppRecord} as it changes phase, so that a healthgate killed at
 * any moment finds it again. Blocking (a file and an fsync): called from workers only.
 */
@FunctionalInterface
public interface Journal {

    /** Writes nothing: for tests and for callers that keep no state. */
    Journal NONE = record -> { };

    /** Writes the record durably before returning; throws with the file named when it cannot. */
    void write(AppRecord record) throws JournalException;
}
