package dev.healthgate.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Requires {@code Authorization: Bearer <token>} on every request when a token is configured. The check
 * compares SHA-256 digests with {@link MessageDigest#isEqual} (constant time): neither the token's
 * characters nor its length can be learned from how long a refusal takes.
 */
final class TokenCheck {

    private final byte[] expected;

    TokenCheck(String token) {
        this.expected = digest("Bearer " + token);
    }

    void handle(RoutingContext ctx) {
        String given = ctx.request().getHeader("Authorization");
        if (MessageDigest.isEqual(expected, digest(given == null ? "" : given))) {
            ctx.next();
        } else {
            Replies.error(ctx, 401, "missing or wrong token: send Authorization: Bearer <control.token>");
        }
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
