package dev.healthgate.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Requires {@code Authorization: Bearer <token>} on every request when a token is configured. */
final class TokenCheck {

    private final byte[] expected;

    TokenCheck(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    void handle(RoutingContext ctx) {
        String given = ctx.request().getHeader("Authorization");
        byte[] bytes = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(expected, bytes)) {
            ctx.next();
        } else {
            Replies.error(ctx, 401, "missing or wrong token: send Authorization: Bearer <control.token>");
        }
    }
}
