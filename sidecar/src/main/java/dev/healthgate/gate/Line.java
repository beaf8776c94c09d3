package dev.healthgate.gate;

/** HAProxy's two server lines for one app instance. */
public enum Line {
    /** The line that takes new clients; checked on {@code status-port}. */
    MAIN("main"),
    /** The {@code backup} line with the same cookie, for sticky clients while the main line drains. */
    BACKUP("backup");

    private final String key;

    Line(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
