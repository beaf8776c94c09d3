package dev.healthgate.cycle;

/**
 * What the operator wants of an app, as opposed to where its cycle stands: in rotation, or kept out (it
 * was drained). Remembered across restarts of healthgate, so that a drained app stays drained.
 */
public enum Intent {
    /** In rotation once it is ready: restored, restarted, or never touched. */
    IN,
    /** Kept out of rotation until an operator restores or restarts it: it was drained. */
    OUT;

    /** The intent an action sets when it starts; {@code current} for healthgate's stop, which changes none. */
    static Intent of(Action action, Intent current) {
        return switch (action) {
            case DRAIN, RECOVER_DRAINED -> OUT;
            case STOP -> current;
            case RESTORE, RESTART, RECOVER, RESTORE_ON_START, RESUME -> IN;
        };
    }
}
