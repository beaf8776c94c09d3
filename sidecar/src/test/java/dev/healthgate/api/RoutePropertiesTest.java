package dev.healthgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.testing.Gen;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary requests against the real router on a real port: methods, paths (dot segments, escapes,
 * control characters, long names), and the headers the guard looks at. The answer is always one of the
 * documented statuses, never a 500, and its body never carries a stack trace or an exception's name. Each
 * try has its own seed ({@link Gen}), named when it fails.
 */
@DisplayName("The control API, over arbitrary requests")
class RoutePropertiesTest {

    private static ApiFixture api;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiFixture(null, "web1", "web2");
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    /** A request: method, target as sent on the request line, header lines, body or null. */
    record Request(String method, String target, List<String> headers, String body) {
    }

    private static final String[] SEGMENTS = {"v1", "apps", "web1", "web2", "drain", "restore", "restart", "roll",
        "metrics", "", ".", "..", "%2e%2e", "%2E", "%2f", "%5c", "%00", "%0d%0a", "%1b[31m", "web1%00", "..%2f..", "~",
        ";x=1", "%", "%zz", "%ff%fe", "a+b", "*"};
    private static final String[] HEADERS = {"Origin: https://evil.example", "Origin: null", "Origin: http://127.0.0.1",
        "Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: none", "Content-Type: text/plain",
        "Content-Type: application/json", "Content-Type: multipart/form-data; boundary=x",
        "Content-Type: application/x-www-form-urlencoded", "Content-Type: ;;;", "Host: evil.example",
        "Host: localhost", "Host: [::1]", "Host: ", "Host: 127.0.0.1:1", "Authorization: Bearer x",
        "Accept: application/x-ndjson", "Expect: 100-continue"};

    static Request request(Gen g) {
        String method = g.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE");
        List<String> segments = g.list(1, 5, x -> x.oneOf(y -> y.of(SEGMENTS), y -> encode(y.anyString(60)),
                y -> y.string('a', 'z', 300, 300)));
        String query = g.of("", "", "?x=1", "?" + "q".repeat(100), "?a=%00");
        List<String> headers = g.list(0, 3, x -> x.oneOf(y -> y.of(HEADERS),
                y -> "X-Fuzz: " + y.string('!', '~', 0, 40)));
        String body = g.oneOf(x -> null, x -> x.of("", "{}", "{\"a\":1}", "{", "[]", "null", "a=1&b=2", "\u0000\u0001"),
                x -> x.anyString(200));
        return new Request(method, "/" + String.join("/", segments) + query, headers, body);
    }

    private static String encode(String raw) {
        StringBuilder out = new StringBuilder();
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 0x80 || "-._".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    @Test
    @DisplayName("answers only documented statuses, never a stack trace (300 tries)")
    void answersOnlyDocumentedStatuses() throws Exception {
        for (long seed = 0; seed < 300; seed++) {
            Request r = request(new Gen(seed));
            RawHttp.Answer a = api.http().send(r.method(), r.target(), r.body(), r.headers().toArray(String[]::new));
            assertThat(a.status()).as("seed %d: %s %s %s -> %s", seed, r.method(), r.target(), r.headers(), a)
                    .isIn(200, 400, 403, 404, 405, 409, 413, 414, 431);
            assertThat(a.body()).as("seed %d: %s %s -> body", seed, r.method(), r.target())
                    .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("\u001b");
        }
    }
}
