package dev.healthgate.cycle;

import java.util.Locale;

/** What an operator asks of one app. */
public enum Action {
    /** Take the app out of rotation for new clients; sticky clients keep reaching it. */
    DRAIN,
    /** Check the app is ready, then put it back into rotation. */
    RESTORE,
    /** The whole cycle: drain, restart, wait ready, restore. */
    RESTART;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
