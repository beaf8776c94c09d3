package dev.healthgate.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The ways healthgate can signal HAProxy. */
public enum GateKind {
    /** iptables NAT REDIRECT from the status ports to the app port. Needs root or CAP_NET_ADMIN. */
    NAT("nat");

    private final String key;

    GateKind(String key) {
        this.key = key;
    }

    public String key() {
        return key;
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
