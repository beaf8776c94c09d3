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
    RECOVER;

    /** Whether an operator may ask for it (RECOVER is healthgate's own answer to a supervised app's death). */
    public boolean requestable() {
        return this != RECOVER;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
