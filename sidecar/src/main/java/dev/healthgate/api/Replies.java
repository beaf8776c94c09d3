package dev.healthgate.api;

import dev.healthgate.cycle.BusyException;
import dev.healthgate.cycle.Fleet;
import dev.healthgate.cycle.RollStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers, and NDJSON progress for clients that ask for it. */
final class Replies {

    static final String NDJSON = "application/x-ndjson";
    /** The whole answer to a failure healthgate did not expect: the detail goes to its log, never out. */
    static final String INTERNAL = "internal error in healthgate (the detail is in its log)";

    private Replies() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encodePrettily() + "\n");
    }

    static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, Json.error(message));
    }

    /**
     * 409: the action was refused because something else runs; says what (the app, its action and state,
     * and where a roll is) so the caller need not ask again.
     */
    static void busy(RoutingContext ctx, BusyException e, Fleet fleet) {
        JsonObject body = Json.error(e.getMessage());
        if (e.app() != null) {
            body.put("app", e.app()).put("running", e.running() == null ? null : e.running().key());
            fleet.app(e.app()).ifPresent(app -> body.put("state", app.state().name()));
        }
        RollStatus roll = e.roll() != null ? e.roll() : fleet.roll();
        if (roll != null) {
            body.put("roll", Json.roll(roll));
        }
        json(ctx, 409, body);
    }

    /**
     * A value from a request, safe to put into an answer or a log line: printable ASCII only (anything else
     * becomes '?'), and at most {@code max} characters, with the full length said when cut.
     */
    static String printable(String value, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < max; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (value.length() > max) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    /** Whether the client asked to see each phase as it completes. */
    static boolean wantsProgress(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.contains(NDJSON);
    }

    /** Starts a streamed answer; every line is one JSON event. */
    static HttpServerResponse startStream(RoutingContext ctx) {
        return ctx.response().setStatusCode(200).setChunked(true).putHeader("Content-Type", NDJSON);
    }

    static void line(HttpServerResponse stream, JsonObject event) {
        if (!stream.ended() && !stream.closed()) {
            stream.write(event.encode() + "\n");
        }
    }
}
