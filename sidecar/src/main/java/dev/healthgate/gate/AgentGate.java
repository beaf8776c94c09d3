package dev.healthgate.gate;

import dev.healthgate.config.AgentRamp;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.ObservedWatch;
import dev.healthgate.observe.Report;
import dev.healthgate.observe.TimedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code agent} gate: healthgate answers HAProxy's agent check on the status port with one line:
 * {@code up ready} (with a weight while ramping after a restore), {@code drain} while draining (HAProxy
 * keeps only sticky clients), {@code maint} once sticky clients must move too, {@code down} when the
 * app is unhealthy. One server line. Needs no privileges.
 *
 * <p>Agent checks carry no node name or session count: a node is known by its address, and a drain is
 * observed when every node has read {@code drain} (or {@code maint}); see {@link AgentWatch}. So only
 * connections from {@code haproxy.sources} (when set) are answered and recorded: a port scan from
 * elsewhere is closed unanswered and never becomes a node. The port listens on {@code status-listen}.
 */
public final class AgentGate extends FlagGate {

    private final Vertx vertx;
    private final AppConfig app;
    private final HaproxyView view;
    private final ReadinessProbe probe;
    private final Watch watch;
    private final CheckGuard guard;
    private volatile long openedNanos = -1;

    public AgentGate(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view, ReadinessProbe probe) {
        this.vertx = vertx;
        this.app = app;
        this.view = view;
        this.probe = probe;
        this.guard = new CheckGuard(app.name() + " agent port " + app.statusPort(), timing.sources());
        this.watch = new AgentWatch(
                new ObservedWatch(vertx, view, app, timing, new ObservedWatch.Observability(true, false, true)),
                new TimedWatch(vertx, timing));
    }

    /**
     * Drains are observed (every node has read {@code drain} or {@code maint}); agent checks carry no
     * session count, so idleness is left to the cycle's connection count. A restore is observed when the
     * line went through {@code maint}: HAProxy stops a MAINT line's health checks, and an agent's
     * {@code ready} ends MAINT with the line UP at once ("start OK but check immediately"), so the
     * line is back the moment every node has read {@code up ready}. After a drain alone HAProxy's own
     * checks of the app kept running and may have marked it DOWN, which no agent answer shows:
     * then the restore waits by the clock.
     */
    private record AgentWatch(Watch observed, TimedWatch clock) implements Watch {

        @Override
        public Future<String> awaitOut(Line line, long since) {
            return observed.awaitOut(line, since);
        }

        @Override
        public Future<String> awaitIdle(long since) {
            return observed.awaitIdle(since);
        }

        @Override
        public Future<String> awaitIn(Set<Line> lines, long since) {
            return (lines.contains(Line.BACKUP) ? observed : clock).awaitIn(lines, since);
        }

        @Override
        public Future<String> awaitInUnattended(Set<Line> lines, long since) {
            return lines.contains(Line.BACKUP) ? observed.awaitInUnattended(lines, since) : clock.awaitIn(lines, since);
        }
    }

    @Override
    public Watch watch() {
        return watch;
    }

    /**
     * Nothing to hold: the line's health check goes to the app port itself (the agent only adds to it), so
     * with HTTP checks the line stays up only if the restarted app answers within fall x inter.
     */
    @Override
    public String hold(long untilNanos) {
        return app.ready().isHttp() ? "agent gate: HAProxy's own check of port " + app.port()
                + " decides whether the line stays up while the app restarts" : null;
    }

    @Override
    void changed() {
        openedNanos = status().main() && status().backup() ? System.nanoTime() : -1;
    }

    @Override
    public Future<Void> start() {
        NetServerOptions options = new NetServerOptions().setIdleTimeout(CheckGuard.IDLE_TIMEOUT_SECONDS)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        return vertx.createNetServer(options).connectHandler(this::answer)
                .listen(app.statusPort(), app.statusListen())
                .recover(e -> Future.failedFuture("cannot listen on agent port " + app.statusListen() + ":"
                        + app.statusPort() + " for " + app.name() + " (status-listen, status-port): " + e.getMessage()))
                .mapEmpty();
    }

    private void answer(NetSocket socket) {
        String node = socket.remoteAddress().hostAddress();
        if (!guard.admit(node)) {
            socket.close();
            return;
        }
        long lifetime = vertx.setTimer(CheckGuard.MAX_LIFETIME_MS, t -> socket.close());
        socket.closeHandler(v -> {
            vertx.cancelTimer(lifetime);
            guard.release(node);
        });
        words().onComplete(ar -> {
            String words = ar.succeeded() ? ar.result() : "down";
            boolean out = words.startsWith("drain") || words.startsWith("maint");
            boolean down = words.startsWith("maint");
            boolean in = words.startsWith("up");
            view.record(app.name(), Line.MAIN, new Report(node, Line.MAIN.key(), null, words, -1, -1, words,
                    System.nanoTime()), out, down, in, false);
            socket.end(io.vertx.core.buffer.Buffer.buffer(words + "\n"));
        });
    }

    /** What the agent says now. */
    Future<String> words() {
        GateStatus s = status();
        if (!s.backup()) {
            return Future.succeededFuture("maint");
        }
        if (!s.main()) {
            return Future.succeededFuture("drain");
        }
        return probe.healthStatus().map(code -> code == 200 ? "up ready " + weight() + "%" : "down");
    }

    private int weight() {
        AgentRamp ramp = app.agentRamp();
        long opened = openedNanos;
        if (ramp.over().isZero() || opened < 0) {
            return 100;
        }
        double done = (System.nanoTime() - opened) / (double) ramp.over().toNanos();
        if (done >= 1) {
            return 100;
        }
        return (int) Math.round(ramp.fromPercent() + (100 - ramp.fromPercent()) * done);
    }
}
