package dev.healthgate.it;

import java.time.Duration;
import java.util.Optional;

/**
 * Finds out when a cycle started, to within one poll: while the caller (a background curl or CLI)
 * runs, polls {@code GET /v1/apps/APP} until it reports {@code busy}. The cycle started after the
 * last poll that saw the app idle was sent, and before the first poll that saw it busy was
 * answered. A caller's own start-up time (a JVM, under load) then does not blur the phases' timing.
 */
public final class CycleWatch {
    private CycleWatch() {}

    /** The span in which the cycle started, in System.nanoTime() terms. */
    public record StartBounds(long earliestNanos, long latestNanos) {}

    /**
     * Polls until {@code app} is busy and returns the bounds on its cycle's start; fails if
     * {@code caller} exits first.
     *
     * @param callerStartedNanos when the caller was started (nothing can have started before)
     */
    public static StartBounds awaitStart(Healthgate healthgate, String app, long callerStartedNanos,
            ManagedProcess caller, Duration timeout) {
        long[] lastIdleSent = {callerStartedNanos};
        long firstBusyAnswered = Await.value(app + "'s cycle to start (busy in GET /v1/apps/" + app + ")", timeout, () -> {
            long sent = System.nanoTime();
            HttpResult r = healthgate.get("/v1/apps/" + app);
            long answered = System.nanoTime();
            if (r.status() == 200 && r.json().getBoolean("busy", false)) {
                return Optional.of(answered);
            }
            if (!caller.isAlive()) {
                throw new AssertionError(caller.name() + " exited before " + app + " was seen busy:\n" + caller.log());
            }
            lastIdleSent[0] = sent;
            return Optional.empty();
        }, () -> caller.logTail(20));
        return new StartBounds(lastIdleSent[0], firstBusyAnswered);
    }
}
