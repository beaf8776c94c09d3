package dev.healthgate.api;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers, and NDJSON progress for clients that ask for it. */
final class Replies {

    static final String NDJSON = "application/x-ndjson";

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
