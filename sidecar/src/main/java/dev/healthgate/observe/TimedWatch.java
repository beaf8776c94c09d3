package dev.healthgate.observe;

import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.gate.Line;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Waits by the clock, from the same timing the HAProxy template uses: {@code fall x inter} plus one
 * {@code inter} to take a line out, {@code rise x inter} plus one {@code inter} to bring it back. Used
 * where HAProxy's checks never reach healthgate (a nat gate with TCP checks).
 */
public final class TimedWatch implements Watch {

    private final Vertx vertx;
    private final HaproxyTiming timing;

    public TimedWatch(Vertx vertx, HaproxyTiming timing) {
        this.vertx = vertx;
        this.timing = timing;
    }

    @Override
    public Future<String> awaitOut(Line line, long since) {
        return sleepUntil(since, timing.outAfter()).map("waited fall x inter + inter = "
                + timing.outAfter().toMillis() + " ms");
    }

    @Override
    public Future<String> awaitIdle(long since) {
        return Future.succeededFuture(null);
    }

    @Override
    public Future<String> awaitIn(Set<Line> lines, long since) {
        if (lines.isEmpty()) {
            return Future.succeededFuture("both gates were open already");
        }
        return sleepUntil(since, timing.inAfter()).map("waited rise x inter + inter = "
                + timing.inAfter().toMillis() + " ms");
    }

    Future<Void> sleepUntil(long since, Duration d) {
        // Rounded up: waking a millisecond early would end the wait before HAProxy's bound.
        long leftNanos = since + d.toNanos() - System.nanoTime();
        long left = (leftNanos + 999_999) / 1_000_000;
        return left <= 0 ? Future.succeededFuture() : vertx.timer(left, TimeUnit.MILLISECONDS).mapEmpty();
    }
}
