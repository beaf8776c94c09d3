package dev.healthgate.it;

/**
 * One request of the load: who sent it (a sticky user, one sending slow requests), when (System.nanoTime), the SRV cookie it carried (null if
 * none), and what came back — a status (0 when no response came), X-Served-By, or the error.
 */
public record RequestRecord(
        int user,
        boolean sticky,
        boolean slow,
        String cookieSent,
        long startNanos,
        long latencyNanos,
        int status,
        String servedBy,
        String error) {

    /** A non-200 answer or a transport error. */
    public boolean failed() {
        return error != null || status != 200;
    }

    /** Whether the request started in {@code [fromNanos, toNanos)}. */
    public boolean startedBetween(long fromNanos, long toNanos) {
        return startNanos - fromNanos >= 0 && startNanos - toNanos < 0;
    }

    @Override
    public String toString() {
        return String.format("user %d%s%s cookie=%s status=%d servedBy=%s latency=%.1fms%s", user,
                sticky ? " (sticky)" : "", slow ? " (slow)" : "", cookieSent, status, servedBy, latencyNanos / 1e6,
                error == null ? "" : " error=" + error);
    }
}
