package dev.healthgate.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The ways healthgate can signal HAProxy (see the README's "Which gate" table). */
public enum GateKind {
    /**
     * iptables NAT REDIRECT from the status ports to the app port; a main and a backup server line.
     * Needs root or CAP_NET_ADMIN.
     */
    NAT("nat", true),
    /**
     * healthgate's own listeners on the status ports, answering from the app's real health while open;
     * a main and a backup server line. Needs nothing.
     */
    PORT("port", true),
    /**
     * healthgate's own HTTP status port answering 404 while draining ({@code http-check disable-on-404}):
     * HAProxy keeps sticky clients itself (NOLB). One server line. Needs nothing.
     */
    HTTP_404("http-404", false),
    /**
     * healthgate answers HAProxy's agent check ({@code ready}, {@code drain}, {@code maint}, weight):
     * HAProxy keeps sticky clients itself (DRAIN). One server line. Needs nothing.
     */
    AGENT("agent", false);

    private final String key;
    private final boolean backupLine;

    GateKind(String key, boolean backupLine) {
        this.key = key;
        this.backupLine = backupLine;
    }

    public String key() {
        return key;
    }

    /** Whether this gate uses a same-host backup server line (and so a backup status port). */
    public boolean hasBackupLine() {
        return backupLine;
    }

    /** Strict lookup: an unknown gate name is an error, never a default. */
    public static GateKind fromKey(String key) {
        for (GateKind k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown gate (known: " + known() + ")");
    }

    static String known() {
        return Arrays.stream(values()).map(GateKind::key).collect(Collectors.joining(", "));
    }
}
