package dev.healthgate.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what connections to the control API may hold: at most {@link #MAX_CONNECTIONS} open at once (more
 * are closed as they arrive), and a connection with no request in progress is closed after {@link #IDLE}
 * (a client that keeps connections open and sends nothing more holds nothing for long).
 *
 * <p>Vert.x's own idle timeout is not used: it counts silence on the wire, and a POST that waits for a
 * restart is silent for as long as the restart takes (measured: Vert.x 5 closes it). Here a connection is
 * idle only while no request is being answered on it. Vert.x hands a connection to this class once its
 * first request head has arrived, so a client that trickles its first headers is not seen here; the
 * header size limits bound what it costs.
 */
final class ConnectionLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    /** Connections open at once; the CLI, hooks and a Prometheus scraper need a handful. */
    static final int MAX_CONNECTIONS = 64;
    /** How long a connection may stay open with no request in progress. */
    static final Duration IDLE = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final int max;
    private final Duration idle;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Conn> conns = new ConcurrentHashMap<>();

    ConnectionLimits(Vertx vertx, int max, Duration idle) {
        this.vertx = vertx;
        this.max = max;
        this.idle = idle;
    }

    /** One connection: requests in progress on it, and its idle timer (-1 while none is armed). */
    private static final class Conn {
        int inProgress;
        long timer = -1;
    }

    /** For {@code HttpServer.connectionHandler}. */
    void opened(HttpConnection connection) {
        int now = open.incrementAndGet();
        Conn conn = new Conn();
        conns.put(connection, conn);
        connection.closeHandler(v -> {
            open.decrementAndGet();
            Conn c = conns.remove(connection);
            if (c != null) {
                disarm(c);
            }
        });
        if (now > max) {
            LOG.warn("control API: {} connections open, the most allowed is {}: closing the one from {}", now, max,
                    connection.remoteAddress());
            connection.close();
            return;
        }
        arm(connection, conn);
    }

    /** The first route handler: the connection is busy until this request's answer has ended. */
    void request(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        Conn conn = conns.get(connection);
        if (conn != null) {
            conn.inProgress++;
            disarm(conn);
            ctx.addEndHandler(ar -> {
                conn.inProgress--;
                if (conn.inProgress == 0 && conns.containsKey(connection)) {
                    arm(connection, conn);
                }
            });
        }
        ctx.next();
    }

    int open() {
        return open.get();
    }

    private void arm(HttpConnection connection, Conn conn) {
        disarm(conn);
        conn.timer = vertx.setTimer(idle.toMillis(), t -> {
            conn.timer = -1;
            if (conn.inProgress == 0) {
                connection.close();
            }
        });
    }

    private void disarm(Conn conn) {
        if (conn.timer >= 0) {
            vertx.cancelTimer(conn.timer);
            conn.timer = -1;
        }
    }
}
