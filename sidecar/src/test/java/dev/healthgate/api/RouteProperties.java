package dev.healthgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary requests against the real router on a real port: methods, paths (dot segments, escapes,
 * control characters, long names), and the headers the guard looks at. The answer is always one of the
 * documented statuses, never a 500, and its body never carries a stack trace or an exception's name.
 */
class RouteProperties {

    private static ApiFixture api;

    @BeforeContainer
    static void start() throws Exception {
        api = new ApiFixture(null, "web1", "web2");
    }

    @AfterContainer
    static void stop() throws Exception {
        api.close();
    }

    /** A request: method, target as sent on the request line, header lines, body or null. */
    record Request(String method, String target, List<String> headers, String body) {
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<String> methods = Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE");
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("v1", "apps", "web1", "web2", "drain", "restore", "restart", "roll", "metrics", "",
                        ".", "..", "%2e%2e", "%2E", "%2f", "%5c", "%00", "%0d%0a", "%1b[31m", "web1%00", "..%2f..",
                        "~", ";x=1", "%", "%zz", "%ff%fe", "a+b", "*"),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(60).map(RouteProperties::encode),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(300));
        Arbitrary<String> paths = segment.list().ofMinSize(1).ofMaxSize(5).map(s -> "/" + String.join("/", s));
        Arbitrary<String> queries = Arbitraries.of("", "", "?x=1", "?" + "q".repeat(100), "?a=%00");
        Arbitrary<String> header = Arbitraries.oneOf(
                Arbitraries.of("Origin: https://evil.example", "Origin: null", "Origin: http://127.0.0.1",
                        "Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: none",
                        "Content-Type: text/plain", "Content-Type: application/json",
                        "Content-Type: multipart/form-data; boundary=x", "Content-Type: application/x-www-form-urlencoded",
                        "Content-Type: ;;;", "Host: evil.example", "Host: localhost", "Host: [::1]", "Host: ",
                        "Host: 127.0.0.1:1", "Authorization: Bearer x", "Accept: application/x-ndjson",
                        "Expect: 100-continue"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40).map(v -> "X-Fuzz: " + v));
        Arbitrary<String> bodies = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.of("", "{}", "{\"a\":1}",
                "{", "[]", "null", "a=1&b=2", "\u0000\u0001"), Arbitraries.strings().ofMaxLength(200));
        return Combinators.combine(methods, paths, queries, header.list().ofMaxSize(3), bodies)
                .as((m, p, q, h, b) -> new Request(m, p + q, h, b));
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

    @Property(tries = 300)
    void answersOnlyDocumentedStatuses(@ForAll("requests") Request r) throws Exception {
        List<String> headers = new ArrayList<>(r.headers());
        RawHttp.Answer a = api.http().send(r.method(), r.target(), r.body(), headers.toArray(String[]::new));
        assertThat(a.status()).as("%s %s %s -> %s", r.method(), r.target(), r.headers(), a)
                .isIn(200, 400, 403, 404, 405, 409, 413, 414, 431);
        assertThat(a.body()).as("%s %s -> body", r.method(), r.target())
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("\u001b");
    }
}
