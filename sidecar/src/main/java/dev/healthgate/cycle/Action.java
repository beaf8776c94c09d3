package dev.healthgate.cycle;

import java.util.Locale;

/** What an operator asks of one app. */
public enum Action {
    /** Take the app out of rotation for new clients; sticky clients keep reaching it. */
    DRAIN,
    /** Check the app is ready, then put it back into rotation. */
    RESTORE,
    /** The whole cycle: drain, restart, wait ready, restore. */
    RESTART,
    /**
     * Not an operator's action: a supervised app died on its own. Close its gates at once (there is
     * nothing left to drain), start it again, wait until it is ready, restore (unattended, see
     * {@link #unattended()}).
     */
    RECOVER,
    /**
     * Not an operator's action: healthgate has just started (restore-on-start). Wait until the app is
     * ready, then restore it (unattended, see {@link #unattended()}).
     */
    RESTORE_ON_START,
    /**
     * Not an operator's action: a supervised app that an operator had drained died on its own. Close both
     * gates at once (the backup line too: sticky clients must not be sent to a closed port), start it
     * again and wait until it is ready; nothing is opened again: it stays out of rotation, with its backup
     * gate closed, until an operator restores it.
     */
    RECOVER_DRAINED,
    /**
     * Not an operator's action: healthgate is stopping. Take a supervised app out as a port-closing
     * restart would (drain, sticky-grace, drain-backup, connections), so that healthgate can then stop it
     * with no request sent to a closed port. Both gates stay closed.
     */
    STOP,
    /**
     * Not an operator's action: healthgate was killed or crashed while a cycle that ends in rotation ran (a
     * restart, restore or recovery), and has started again. Wait until the app is ready, then restore it
     * (unattended); if it does not become ready, it is FAILED with a reason naming the phase that was cut
     * short. Never puts an app that is not ready into rotation.
     */
    RESUME;

    /** Whether an operator may ask for it (the others are healthgate's own). */
    public boolean requestable() {
        return this == DRAIN || this == RESTORE || this == RESTART;
    }

    /**
     * Whether no operator waits on it: healthgate's own actions. Their restore does not wait past the
     * bound for a HAProxy node that has not checked the app since the gates opened (HAProxy not running
     * yet, or down while a supervised app crashed): the gates stay open for its next check, and the
     * result says what was not confirmed. An operator's restore fails instead, and says which node.
     */
    public boolean unattended() {
        return !requestable();
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
