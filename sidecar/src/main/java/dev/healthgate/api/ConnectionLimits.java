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
 * Bounds what connections to the control API may hold: at most {@link #MAX_CONNECTIONS} open at once (a request
 * on one more is answered 503 and its connection closed), and a connection with no request in progress is closed after {@link #IDLE}
 * (a client that keeps connections open and sends nothing more holds nothing for long).
 *
 * <p>Vert.x's own idle timeout is not used: it counts silence on the wire, and a POST that waits for a
 * restart is silent for as long as the restart takes (measured: Vert.x 5 closes it). Here a connection is
 * idle only while no request is being answered on it. With h2c off, Vert.x hands a connection to this class as
 * soon as it is accepted, so a connection counts toward the cap before it sends a byte, and a client that
 * trickles a request head it never finishes is closed after {@link #IDLE} like one that sends nothing.
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

    /** One connection: requests in progress on it, its idle timer (-1 while none is armed), over the cap. */
    private static final class Conn {
        int inProgress;
        long timer = -1;
        boolean overCap;
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
            // answered 503 in request(): Vert.x hands the connection over with its first request on the way
            LOG.warn("control API: {} connections open, the most allowed is {}: refusing the one from {}", now, max,
                    connection.remoteAddress());
            conn.overCap = true;
            return;
        }
        arm(connection, conn);
    }

    /** The first route handler: the connection is busy until this request's answer has ended. */
    void request(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        Conn conn = conns.get(connection);
        if (conn != null && conn.overCap) {
            ctx.response().putHeader("Connection", "close");
            Replies.error(ctx, 503, "too many connections to the control API (at most " + max + " at once): "
                    + "try again when others have closed");
            return;
        }
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
