package dev.healthgate.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Request bodies: none of the endpoints takes parameters, so a body is at most {@value #LIMIT} bytes (413
 * past that, before it is read into memory) and, if there is one, an empty JSON object ({@code {}}, as some
 * HTTP tools send by habit). Anything else is refused with 400: a parameter healthgate would ignore is
 * better refused than silently dropped.
 */
final class RequestBody {

    /** The largest request body read, in bytes. */
    static final int LIMIT = 64 * 1024;

    private RequestBody() {
    }

    static void register(Router router) {
        // POST only: the GETs never read a body, and Vert.x's body handler throws on a GET that claims a
        // multipart body (a 500, found by RouteProperties)
        router.post().handler(BodyHandler.create(false).setBodyLimit(LIMIT));
        router.post().handler(RequestBody::check);
    }

    private static void check(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.toString().isBlank()) {
            ctx.next();
            return;
        }
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            Replies.error(ctx, 400, "the request body is not a JSON object; the control API takes no parameters: "
                    + "send no body (or {})");
            return;
        }
        if (!json.isEmpty()) {
            Replies.error(ctx, 400, "unknown parameter '" + Replies.printable(json.fieldNames().iterator().next(), 40)
                    + "' in the request body; the control API takes no parameters: send no body (or {})");
            return;
        }
        ctx.next();
    }
}
