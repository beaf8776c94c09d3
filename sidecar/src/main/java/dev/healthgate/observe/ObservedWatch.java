package dev.healthgate.observe;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.gate.Line;
import dev.healthgate.observe.HaproxyView.Goal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits on what HAProxy reports in its checks ({@link HaproxyView}) instead of sleeping: done as soon
 * as every load balancer node has acted, failed with a reason naming the silent node when one has not
 * within the clock's bound. What a gate cannot observe falls back to {@link TimedWatch}.
 */
public final class ObservedWatch implements Watch {

    private static final Logger LOG = LoggerFactory.getLogger(ObservedWatch.class);
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

    /** What the bound passing with nodes still pending means. */
    private enum Silence {
        /** The wait fails: HAProxy did not act. */
        FAIL,
        /** The wait ends with a note: the app's own graceful stop finishes what is left; say so, don't hide it. */
        NOTE,
        /** Nodes that have not checked the app since the wait began are not waited for; any other fails it. */
        SPARE_SILENT
    }

    /** One wait: on which lines, for what, since when (System.nanoTime), until when, and what silence means. */
    private record Wait(List<Line> lines, Goal goal, long since, long deadline, Duration bound, Silence silence,
            String word) {
    }

    @Override
    public Future<String> awaitOut(Line line, long since) {
        if (!can.out()) {
            return clock.awaitOut(line, since);
        }
        Goal goal = line == Line.MAIN ? Goal.OUT : Goal.DOWN;
        Duration bound = silenceBound(timing.outAfter());
        return await(new Wait(List.of(serverLine(line)), goal, since, since + bound.toNanos(), bound, Silence.FAIL,
                "out"));
    }

    @Override
    public Future<String> awaitIdle(long since) {
        if (!can.idle()) {
            return Future.succeededFuture(null);
        }
        // Reports since `since` count, but the bound runs from now: drain-timeout is this wait's own.
        return await(new Wait(serverLines(), Goal.IDLE, since, System.nanoTime() + app.drainTimeout().toNanos(),
                app.drainTimeout(), Silence.NOTE, "idle"));
    }

    @Override
    public Future<String> awaitIn(Set<Line> lines, long since) {
        return awaitIn(lines, since, Silence.FAIL);
    }

    @Override
    public Future<String> awaitInUnattended(Set<Line> lines, long since) {
        return awaitIn(lines, since, Silence.SPARE_SILENT);
    }

    private Future<String> awaitIn(Set<Line> lines, long since, Silence silence) {
        if (!can.in() || lines.isEmpty()) {
            return clock.awaitIn(lines, since);
        }
        Duration bound = silenceBound(timing.inAfter());
        List<Line> opened = lines.stream().map(this::serverLine).distinct().sorted().toList();
        return await(new Wait(opened, Goal.IN, since, since + bound.toNanos(), bound, silence, "in"));
    }

    /**
     * How long a flip may go unanswered before a node counts as silent: the clock's own bound, one inter
     * of slack, and one check timeout, since a check in flight at the flip (to an app slowed by a loaded
     * host) holds the next one back until it ends. Without it, a restart on a busy host failed with
     * "is HAProxy running?" while HAProxy was.
     */
    private Duration silenceBound(Duration clockBound) {
        return clockBound.plus(timing.inter()).plus(HaproxyTiming.CHECK_TIMEOUT);
    }

    private Future<String> await(Wait wait) {
        Promise<String> done = Promise.promise();
        poll(done, wait);
        return done.future();
    }

    private void poll(Promise<String> done, Wait w) {
        long now = System.nanoTime();
        Set<String> nodes = view.nodes(app.name(), now);
        Map<Line, Set<String>> pending = new EnumMap<>(Line.class);
        for (Line line : w.lines()) {
            Set<String> late = view.pending(app.name(), line, w.goal(), w.since(), nodes);
            if (!late.isEmpty()) {
                pending.put(line, late);
            }
        }
        if (!nodes.isEmpty() && pending.isEmpty()) {
            // An idle wait accepts reports from before it began, so a time since `since` would mislead.
            done.complete("observed " + String.join(", ", nodes) + " " + w.word() + (w.goal() == Goal.IDLE ? ""
                    : " after " + TimeUnit.NANOSECONDS.toMillis(now - w.since()) + " ms"));
            return;
        }
        if (now < w.deadline()) {
            vertx.setTimer(POLL_MS, t -> poll(done, w));
            return;
        }
        if (w.silence() == Silence.SPARE_SILENT) {
            Set<String> silent = new TreeSet<>();
            for (Set<String> late : pending.values()) {
                late.stream().filter(node -> !view.heardSince(app.name(), node, w.since())).forEach(silent::add);
                late.removeAll(silent);
            }
            pending.values().removeIf(Set::isEmpty);
            if (pending.isEmpty()) {
                String note = unconfirmed(nodes, silent, w);
                LOG.warn("{}: {}", app.name(), note);
                done.complete(note);
                return;
            }
        }
        String why = silence(w, waiting(nodes, pending, w.lines()));
        if (w.silence() == Silence.NOTE) {
            done.complete(why);
        } else {
            done.fail(why);
        }
    }

    /** The pending nodes, each with its last report; or, before any node was seen, each line. */
    private List<String> waiting(Set<String> nodes, Map<Line, Set<String>> pending, List<Line> lines) {
        List<String> waiting = new ArrayList<>();
        if (nodes.isEmpty()) {
            lines.forEach(line -> waiting.add(line.key() + " (no HAProxy node seen yet)"));
        }
        pending.forEach((line, late) -> late.forEach(node -> waiting.add(describe(line, node))));
        return waiting;
    }

    private String unconfirmed(Set<String> nodes, Set<String> silent, Wait w) {
        String since = " since the gates opened (waited " + w.bound().toMillis() + " ms); the gates stay open, "
                + "so HAProxy's next check finds " + app.name() + " up";
        if (silent.isEmpty()) {
            return "not confirmed: no HAProxy node has checked " + app.name() + "'s status port " + statusPorts()
                    + since;
        }
        Set<String> heard = new TreeSet<>(nodes);
        heard.removeAll(silent);
        String notChecked = "not confirmed by " + String.join(", ", silent) + ": not one check of " + app.name()
                + since;
        return heard.isEmpty() ? notChecked
                : "observed " + String.join(", ", heard) + " " + w.word() + "; " + notChecked;
    }

    private String statusPorts() {
        return app.statusPort() + (app.gate().hasBackupLine() ? "/" + app.backupStatusPort() : "");
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

    private String silence(Wait w, List<String> waiting) {
        boolean heard = w.lines().stream().anyMatch(l -> view.anyReportSince(app.name(), l, w.since()));
        if (!heard) {
            Report latest = view.reports(app.name()).stream().max(Comparator.comparingLong(Report::receivedNanos))
                    .orElse(null);
            if (latest != null) { // it did check, earlier: it has stopped
                return "HAProxy has not checked " + app.name() + "'s status port within " + w.bound().toMillis()
                        + " ms (the last check came from " + latest.node() + " " + TimeUnit.NANOSECONDS.toMillis(
                                System.nanoTime() - latest.receivedNanos()) + " ms ago): is HAProxy running?";
            }
            String checks = app.gate() == GateKind.AGENT ? "agent checks on port " + statusPorts()
                    : "checks on port " + statusPorts() + ", http-check send-state";
            return "HAProxy never checked " + app.name() + "'s status port within " + w.bound().toMillis()
                    + " ms: is the config from `healthgate haproxy-config` deployed (" + checks + ")?";
        }
        return "HAProxy did not report " + app.name() + " " + w.word() + " within " + w.bound().toMillis()
                + " ms; waiting on: " + String.join("; ", waiting);
    }
}
