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
     * nothing left to drain), start it again, wait until it is ready, restore.
     */
    RECOVER,
    /**
     * Not an operator's action: healthgate has just started (restore-on-start). Wait until the app is
     * ready, then restore it as RESTORE does, except that a HAProxy node that has never checked the app
     * (not running yet, as when a whole site boots) is not waited for past the bound: the gates stay
     * open for its first check, and the result says what was not confirmed.
     */
    RESTORE_ON_START;

    /** Whether an operator may ask for it (RECOVER and RESTORE_ON_START are healthgate's own). */
    public boolean requestable() {
        return this == DRAIN || this == RESTORE || this == RESTART;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
