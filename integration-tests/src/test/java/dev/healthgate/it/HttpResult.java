package dev.healthgate.it;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** One HTTP answer as a deploy hook sees it: the status (0 when no answer came) and the body. */
public record HttpResult(int status, String body, String error) {

    /** The body as a JSON object; fails with the body in the message if it is not one. */
    public JsonObject json() {
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new AssertionError("expected a JSON object, got status " + status + " body: " + body, e);
        }
    }

    public boolean is2xx() {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        return "HTTP " + status + (error.isEmpty() ? "" : " (" + error.strip() + ")") + ": " + body.strip();
    }
}
