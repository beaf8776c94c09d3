package dev.healthgate.observe;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.HaproxyView.Goal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Waits on what HAProxy reports in its checks ({@link HaproxyView}) instead of sleeping: done as soon
 * as every load balancer node has acted, failed with a reason naming the silent node when one has not
 * within the clock's bound. What a gate cannot observe falls back to {@link TimedWatch}.
 */
public final class ObservedWatch implements Watch {

    private static final long POLL_MS = 10;

    private final Vertx vertx;
    private final HaproxyView view;
    private final AppConfig app;
    private final HaproxyTiming timing;
    private final Observability can;
    private final TimedWatch clock;

    /**
     * What a gate lets healthgate see.
     *
     * @param out  checks reach healthgate while the line is closed (its own port, or a nat gate's port
     *             once the redirect is gone)
     * @param idle the checks carry session counts ({@code send-state}; agent checks do not)
     * @param in   checks reach healthgate while the line is open (not for nat: they go to the app)
     */
    public record Observability(boolean out, boolean idle, boolean in) {
    }

    public ObservedWatch(Vertx vertx, HaproxyView view, AppConfig app, HaproxyTiming timing, Observability can) {
        this.vertx = vertx;
        this.view = view;
        this.app = app;
        this.timing = timing;
        this.can = can;
        this.clock = new TimedWatch(vertx, timing);
    }

    /** The server line HAProxy checks for a gate line: gates without a backup line flip the main one. */
    private Line serverLine(Line gateLine) {
        return app.gate().hasBackupLine() ? gateLine : Line.MAIN;
    }

    private List<Line> serverLines() {
        return app.gate().hasBackupLine() ? List.of(Line.MAIN, Line.BACKUP) : List.of(Line.MAIN);
    }

    @Override
    public Future<String> awaitOut(Line line, long since) {
        if (!can.out()) {
            return clock.awaitOut(line, since);
        }
        Goal goal = line == Line.MAIN ? Goal.OUT : Goal.DOWN;
        // One inter of slack past the clock's own bound before calling a node silent.
        Duration bound = timing.outAfter().plus(timing.inter());
        return await(List.of(serverLine(line)), goal, since, bound, true, "out");
    }

    @Override
    public Future<String> awaitIdle(long since) {
        if (!can.idle()) {
            return Future.succeededFuture(null);
        }
        // Reports since `since` count, but the bound runs from now: drain-timeout is this wait's own.
        Promise<String> done = Promise.promise();
        poll(done, serverLines(), Goal.IDLE, since, System.nanoTime() + app.drainTimeout().toNanos(),
                app.drainTimeout(), false, "idle");
        return done.future();
    }

    @Override
    public Future<String> awaitIn(Set<Line> lines, long since) {
        if (!can.in() || lines.isEmpty()) {
            return clock.awaitIn(lines, since);
        }
        Duration bound = timing.inAfter().plus(timing.inter());
        List<Line> opened = lines.stream().map(this::serverLine).distinct().sorted().toList();
        return await(opened, Goal.IN, since, bound, true, "in");
    }

    private Future<String> await(List<Line> lines, Goal goal, long since, Duration bound, boolean strict,
            String word) {
        Promise<String> done = Promise.promise();
        poll(done, lines, goal, since, since + bound.toNanos(), bound, strict, word);
        return done.future();
    }

    private void poll(Promise<String> done, List<Line> lines, Goal goal, long since, long deadline, Duration bound,
            boolean strict, String word) {
        long now = System.nanoTime();
        Set<String> nodes = view.nodes(app.name(), now);
        List<String> waiting = new ArrayList<>();
        for (Line line : lines) {
            if (nodes.isEmpty()) {
                waiting.add(line.key() + " (no HAProxy node seen yet)");
            }
            for (String node : view.pending(app.name(), line, goal, since, nodes)) {
                waiting.add(describe(line, node));
            }
        }
        if (waiting.isEmpty()) {
            // An idle wait accepts reports from before it began, so a time since `since` would mislead.
            done.complete("observed " + String.join(", ", nodes) + " " + word + (goal == Goal.IDLE ? ""
                    : " after " + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms"));
        } else if (now >= deadline) {
            String why = silence(lines, since, bound, word, waiting);
            if (strict) {
                done.fail(why);
            } else {
                done.complete(why); // the app's graceful stop finishes what is left; say so, don't hide it
            }
        } else {
            vertx.setTimer(POLL_MS, t -> poll(done, lines, goal, since, deadline, bound, strict, word));
        }
    }

    private String describe(Line line, String node) {
        Report r = view.last(app.name(), line, node);
        if (r == null) {
            return node + " " + line.key() + " (never reported)";
        }
        long age = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r.receivedNanos());
        return node + " " + line.key() + " (last: " + r.status()
                + (r.scur() >= 0 ? ", scur " + r.scur() : "") + ", " + age + " ms ago)";
    }

    private String silence(List<Line> lines, long since, Duration bound, String word, List<String> waiting) {
        boolean heard = lines.stream().anyMatch(l -> view.anyReportSince(app.name(), l, since));
        if (!heard) {
            return "HAProxy never checked " + app.name() + "'s status port within " + bound.toMillis()
                    + " ms: is the config from `healthgate haproxy-config` deployed (checks on port "
                    + app.statusPort() + (app.gate().hasBackupLine() ? "/" + app.backupStatusPort() : "")
                    + ", http-check send-state)?";
        }
        return "HAProxy did not report " + app.name() + " " + word + " within " + bound.toMillis()
                + " ms; waiting on: " + String.join("; ", waiting);
    }
}
