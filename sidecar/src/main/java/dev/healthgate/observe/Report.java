package dev.healthgate.observe;

/**
 * What healthgate last learnt from one load balancer node about one server line of one app.
 *
 * @param node         the node's name (or, for agent checks, its address)
 * @param line         "main" or "backup"
 * @param server       HAProxy's server name, or null for agent checks
 * @param status       the state HAProxy reported ({@code UP 1/2}), or what the agent said
 * @param scur         sessions on the line at that check, -1 if unknown
 * @param qcur         queued requests, -1 if unknown
 * @param answer       what healthgate answered (HTTP status, or the agent's words)
 * @param receivedNanos when, on {@link System#nanoTime()}'s clock
 */
public record Report(String node, String line, String server, String status, int scur, int qcur, String answer,
        long receivedNanos) {
}
