package dev.healthgate.cycle;

/**
 * What healthgate writes down about one app whenever its cycle changes phase, and reads back when it
 * starts again: enough to tell a drained app from one in rotation, and a cycle that was cut short (and
 * where) from one that ended.
 *
 * @param app    the app's name
 * @param intent what the operator wants of it
 * @param state  its state when written
 * @param reason why it failed, or {@code null}
 * @param action the cycle running when written, or {@code null} when none ran
 * @param phase  that cycle's phase (e.g. {@code drain-backup}), or {@code null}
 */
public record AppRecord(String app, Intent intent, CycleState state, String reason, Action action, String phase) {

    /** Whether a cycle was running when this was written. */
    public boolean midCycle() {
        return action != null;
    }
}
