package dev.healthgate.cycle;

/**
 * One completed phase of a cycle.
 *
 * @param name phase name: drain, sticky-grace, drain-backup, connections, restart, ready, restore
 * @param ms   how long it took
 * @param note what was observed, or {@code null}
 */
public record PhaseResult(String name, long ms, String note) {
}
