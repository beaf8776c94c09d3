package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.Report;
import dev.healthgate.observe.ServerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * healthgate's own HTTP listener on a status port: answers each HAProxy check with the status its gate
 * decides, and records what the check's {@code X-Haproxy-Server-State} header says into the
 * {@link HaproxyView}, together with what the answer will make of the line.
 *
 * <p>It listens on the app's {@code status-listen} address. Connections from outside {@code haproxy.sources},
 * and beyond the {@link CheckGuard} limits, are closed unanswered; idle ones are closed after
 * {@link CheckGuard#IDLE_TIMEOUT_SECONDS}. A header is recorded only if it names this port's server line
 * ({@link StateHeaderCheck}); others are ignored with a rate-limited warning.
 */
final class StatusServer {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    static final String STATE_HEADER = "X-Haproxy-Server-State";

    private final Vertx vertx;
    private final AppConfig app;
    private final HaproxyTiming timing;
    private final Line line;
    private final int port;
    private final HaproxyView view;
    private final Supplier<Future<Integer>> answer;
    private final boolean disableOn404;
    private final CheckGuard guard;
    private final StateHeaderCheck headers;
    private final RateLimitedWarning ignored = new RateLimitedWarning(LOG, 1, TimeUnit.MINUTES);
    private HttpServer server;

    /**
     * @param line         the server line HAProxy checks on this port
     * @param answer       the HTTP status to answer with, decided per check
     * @param disableOn404 whether the template sets {@code http-check disable-on-404} (404 means NOLB)
     */
    StatusServer(Vertx vertx, AppConfig app, HaproxyTiming timing, Line line, int port, HaproxyView view,
            Supplier<Future<Integer>> answer, boolean disableOn404) {
        this.vertx = vertx;
        this.app = app;
        this.timing = timing;
        this.line = line;
        this.port = port;
        this.view = view;
        this.answer = answer;
        this.disableOn404 = disableOn404;
        this.guard = new CheckGuard(app.name() + " status port " + port, timing.sources());
        this.headers = new StateHeaderCheck(app, timing, line);
    }

    Future<Void> start() {
        // HTTP/1 only: without h2c detection the connection exists (and is admitted or refused) on connect,
        // not once its first bytes arrive, so a silent connection holds a slot only until the idle timeout.
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
                .setIdleTimeout(CheckGuard.IDLE_TIMEOUT_SECONDS)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        return vertx.createHttpServer(options).connectionHandler(this::admit).requestHandler(this::handle)
                .listen(port, app.statusListen())
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture("cannot listen on status port " + app.statusListen() + ":" + port
                        + " for " + app.name() + " (status-listen, status-port): " + e.getMessage()))
                .mapEmpty();
    }

    /** Closes a connection the guard refuses before it is read; bounds the life of the others. */
    private void admit(HttpConnection conn) {
        String source = conn.remoteAddress().hostAddress();
        if (!guard.admit(source)) {
            conn.close();
            return;
        }
        long lifetime = vertx.setTimer(CheckGuard.MAX_LIFETIME_MS, t -> conn.close());
        conn.closeHandler(v -> {
            vertx.cancelTimer(lifetime);
            guard.release(source);
        });
    }

    Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        if (!guard.fromHaproxy(req.remoteAddress().hostAddress())) {
            req.connection().close(); // refused in admit already; never answered, never a node
            return;
        }
        String header = req.getHeader(STATE_HEADER);
        answer.get().onComplete(ar -> {
            int status = ar.succeeded() ? ar.result() : 503;
            if (header != null) {
                record(header, status); // before the answer: the view knows what HAProxy is about to read
            }
            req.response().setStatusCode(status).putHeader("Content-Type", "text/plain")
                    .end(app.name() + " " + line.key() + ": " + status + "\n");
        });
    }

    private void record(String header, int status) {
        ServerState s;
        try {
            s = headers.accept(header);
        } catch (IllegalArgumentException e) {
            ignored.warn(System.nanoTime(), "{}: ignoring an {} header on status port {}: {}", app.name(),
                    STATE_HEADER, port, e.getMessage());
            return;
        }
        boolean notFound = disableOn404 && status == 404;
        boolean failing = !notFound && (status < 200 || status >= 400);
        boolean down = s.downAfter(failing, timing.fall());
        boolean out = notFound || s.isOut() || down;
        boolean in = !failing && !notFound && s.inAfter(timing.rise());
        // Idle: out once HAProxy reads this answer, with no session or queued request at this check. A
        // session dispatched in the instant before HAProxy reads the answer is a connection to the app
        // port, which the cycle's connection count waits for next.
        boolean idle = out && s.scur() == 0 && s.qcur() == 0;
        String shown = s.status() + (s.count() >= 0 ? " " + s.count() + "/" + s.of() : "");
        view.record(app.name(), line, new Report(s.node(), line.key(), s.backend() + "/" + s.server(), shown,
                s.scur(), s.qcur(), String.valueOf(status), System.nanoTime()), out, down, in, idle);
    }
}
