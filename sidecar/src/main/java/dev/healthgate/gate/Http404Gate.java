package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.ObservedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The {@code http-404} gate: healthgate's HTTP status port answers the app's real health in rotation,
 * 404 while draining ({@code http-check disable-on-404}: HAProxy sets the line NOLB at once and keeps
 * sending only sticky clients), and 503 once sticky clients must move too (before a restart that closes
 * the app's port). One server line, no backup line. Needs no privileges.
 *
 * <p>Closing {@link Line#MAIN} means "404"; closing {@link Line#BACKUP} means "503".
 */
public final class Http404Gate extends FlagGate {

    private final StatusServer server;
    private final Watch watch;

    public Http404Gate(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view, ReadinessProbe probe) {
        this.server = new StatusServer(vertx, app, timing, Line.MAIN, app.statusPort(), view, () -> {
            GateStatus s = status();
            if (!s.backup()) {
                return Future.succeededFuture(503);
            }
            return s.main() ? probe.healthStatus().map(c -> c == 404 ? 503 : c) : Future.succeededFuture(404);
        }, true);
        this.watch = new ObservedWatch(vertx, view, app, timing, new ObservedWatch.Observability(true, true, true));
    }

    @Override
    public Watch watch() {
        return watch;
    }

    @Override
    public Future<Void> start() {
        return server.start();
    }
}
