package dev.healthgate.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One application instance that healthgate gates and restarts.
 *
 * @param name             unique name, also the HAProxy server name and cookie value
 * @param host             address HAProxy uses to reach the app (template only)
 * @param port             the app's own port
 * @param statusPort       port HAProxy checks for the main server line
 * @param backupStatusPort port HAProxy checks for the backup server line (0 for gates without one)
 * @param gate             how HAProxy is told
 * @param ready            how readiness is checked
 * @param restart          how the app is restarted
 * @param stickyGrace      how long sticky clients may stay on a draining app that will close its port
 * @param drainTimeout     bound on waiting for in-flight connections to finish
 * @param restoreOnStart   put the app into rotation when healthgate starts, once it is ready
 * @param agentRamp        agent gate only: the weight ramp after a restore
 * @param statusListen     the address healthgate's own status and agent listeners bind to
 *                         ({@code status-listen}; {@code 0.0.0.0}, every address, by default)
 */
public record AppConfig(
        String name,
        String host,
        int port,
        int statusPort,
        int backupStatusPort,
        GateKind gate,
        ReadyCheck ready,
        RestartSpec restart,
        Duration stickyGrace,
        Duration drainTimeout,
        boolean restoreOnStart,
        AgentRamp agentRamp,
        String statusListen) {

    /** What an app name may be: it is also an HAProxy server name, a cookie value and a URL path segment. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");

    /** {@link #NAME} in words, for error messages. */
    public static final String NAME_RULE = "1-40 letters, digits, '_', '.', '-', starting with a letter or digit";

    /** Every address: checks reach the status ports whatever address HAProxy uses. */
    public static final String ANY_ADDRESS = "0.0.0.0";

    /** An app whose status listeners bind every address. */
    public AppConfig(String name, String host, int port, int statusPort, int backupStatusPort, GateKind gate,
            ReadyCheck ready, RestartSpec restart, Duration stickyGrace, Duration drainTimeout,
            boolean restoreOnStart, AgentRamp agentRamp) {
        this(name, host, port, statusPort, backupStatusPort, gate, ready, restart, stickyGrace, drainTimeout,
                restoreOnStart, agentRamp, ANY_ADDRESS);
    }

    /** Whether the status listeners bind every address ({@code 0.0.0.0} or {@code ::}). */
    public boolean statusListensEverywhere() {
        return statusListen.equals(ANY_ADDRESS) || statusListen.equals("::");
    }

    /**
     * This app's server line name in the rendered HAProxy config ({@code haproxy-templates/gate-*.mustache}):
     * the app's name, with {@code -bkp} for the backup line. Checks whose {@code X-Haproxy-Server-State}
     * names another server are not this app's.
     */
    public String serverName(boolean backup) {
        return backup ? name + "-bkp" : name;
    }

    /**
     * The address HAProxy sends checks to: the status listen address when it is one, else the app's host.
     */
    public String statusHost() {
        return statusListensEverywhere() ? host : statusListen;
    }
}
