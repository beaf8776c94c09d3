package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.observe.Report;
import dev.healthgate.observe.ServerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * healthgate's own HTTP listener on a status port: answers each HAProxy check with the status its gate
 * decides, and records what the check's {@code X-Haproxy-Server-State} header says into the
 * {@link HaproxyView}, together with what the answer will make of the line.
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
    }

    Future<Void> start() {
        return vertx.createHttpServer().requestHandler(this::handle).listen(port, "0.0.0.0")
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture("cannot listen on status port " + port + " for " + app.name()
                        + ": " + e.getMessage()))
                .mapEmpty();
    }

    Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        String header = req.getHeader(STATE_HEADER);
        answer.get().onComplete(ar -> {
            int status = ar.succeeded() ? ar.result() : 503;
            req.response().setStatusCode(status).putHeader("Content-Type", "text/plain")
                    .end(app.name() + " " + line.key() + ": " + status + "\n");
            if (header != null) {
                record(header, status);
            }
        });
    }

    private void record(String header, int status) {
        ServerState s;
        try {
            s = ServerState.parse(header);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: ignoring a malformed {} header on port {}: {}", app.name(), STATE_HEADER, port,
                    e.getMessage());
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
