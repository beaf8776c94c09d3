package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.ObservedWatch;
import dev.healthgate.observe.Watch;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code port} gate: healthgate listens on the main and backup status ports itself. Open, it
 * answers each check from the app's real health (HTTP: the app's ready path, its status passed on;
 * TCP: the port accepts only while the app's port does). Closed, HTTP checks get 503 and TCP checks are
 * refused. While a restart keeps the app's port open ({@link #hold}) the open backup line is answered
 * from whether that port accepts. Needs no privileges.
 */
public final class PortGate extends FlagGate {

    private final Vertx vertx;
    private final AppConfig app;
    private final HaproxyTiming timing;
    private final ReadinessProbe probe;
    private final Watch watch;
    private final Map<Line, StatusServer> http = new EnumMap<>(Line.class);
    private final Map<Line, NetServer> tcp = new EnumMap<>(Line.class);
    private final PortHold hold = new PortHold();
    private volatile boolean appHealthy;
    private long healthTimer = -1;

    public PortGate(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view, ReadinessProbe probe) {
        this.vertx = vertx;
        this.app = app;
        this.timing = timing;
        this.probe = probe;
        boolean httpChecks = app.ready().isHttp();
        this.watch = new ObservedWatch(vertx, view, app, timing,
                new ObservedWatch.Observability(httpChecks, httpChecks, httpChecks));
        if (httpChecks) {
            for (Line line : Line.values()) {
                http.put(line, new StatusServer(vertx, app, timing, line, port(line), view,
                        () -> hold.answer(line, status().isOpen(line), probe), false));
            }
        }
    }

    private int port(Line line) {
        return line == Line.MAIN ? app.statusPort() : app.backupStatusPort();
    }

    @Override
    public Watch watch() {
        return watch;
    }

    /**
     * HTTP checks of the open backup line are answered from the app port's TCP reachability until the hold
     * ends. TCP checks need nothing: the backup status port accepts while the app's port does anyway.
     */
    @Override
    public String hold(long untilNanos) {
        hold.begin(untilNanos);
        return null;
    }

    @Override
    public void endHold() {
        hold.end();
    }

    @Override
    public Future<Void> start() {
        if (!http.isEmpty()) {
            return Future.all(http.get(Line.MAIN).start(), http.get(Line.BACKUP).start()).mapEmpty();
        }
        // TCP checks: a status port accepts only while its line is open and the app's port accepts.
        healthTimer = vertx.setPeriodic(0, Math.max(50, timing.inter().toMillis() / 2), t ->
                probe.healthStatus().onSuccess(s -> {
                    appHealthy = s == 200;
                    vertx.runOnContext(v -> syncTcpListeners());
                }));
        return Future.succeededFuture();
    }

    @Override
    void changed() {
        if (http.isEmpty()) {
            vertx.runOnContext(v -> syncTcpListeners());
        }
    }

    private void syncTcpListeners() {
        for (Line line : Line.values()) {
            boolean want = status().isOpen(line) && appHealthy;
            NetServer current = tcp.get(line);
            if (want && current == null) {
                NetServer s = vertx.createNetServer().connectHandler(socket -> socket.close());
                tcp.put(line, s);
                s.listen(port(line), app.statusListen()).onFailure(e -> tcp.remove(line));
            } else if (!want && current != null) {
                tcp.remove(line);
                current.close();
            }
        }
    }

    /** For tests and shutdown: stops the health poll. */
    public void stopPolling() {
        if (healthTimer >= 0) {
            vertx.cancelTimer(healthTimer);
        }
    }
}
