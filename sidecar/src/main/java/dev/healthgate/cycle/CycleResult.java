package dev.healthgate.cycle;

import java.time.Instant;
import java.util.List;

/**
 * How a cycle ended.
 *
 * @param app     app name
 * @param action  what was asked
 * @param ok      whether every phase succeeded
 * @param state   the app's state afterwards
 * @param reason  why it failed, or {@code null}
 * @param phases  the phases that completed, in order
 * @param totalMs the whole cycle's duration
 * @param startedAt when the cycle started (wall clock)
 */
public record CycleResult(String app, Action action, boolean ok, CycleState state, String reason,
        List<PhaseResult> phases, long totalMs, Instant startedAt) {

    public CycleResult {
        phases = List.copyOf(phases);
    }
}
