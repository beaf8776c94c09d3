package dev.healthgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.cycle.CycleState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a web page (or anything else hostile) can make the real control API do over real HTTP: nothing.
 * Each refusal names the header or input, and no gate is flipped.
 */
@DisplayName("The control API's request guard")
class RequestGuardTest {

    private ApiFixture api;
    private RawHttp http;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(null, "web1", "web2");
        http = api.http();
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private void assertNothingChanged() {
        assertThat(api.flips).as("gate flips").isEmpty();
        assertThat(api.fleet.apps()).allSatisfy(app -> {
            assertThat(app.state()).as("state of %s", app.name()).isEqualTo(CycleState.IN_ROTATION);
            assertThat(app.running()).as("cycle running on %s", app.name()).isNull();
        });
    }

    @Test
    @DisplayName("refuses a form POST from another site with 403 naming Origin and its value")
    void refusesForeignOrigin() throws Exception {
        RawHttp.Answer a = http.send("POST", "/v1/roll", "a=1", "Origin: https://evil.example",
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(a.status()).as("%s", a).isEqualTo(403);
        assertThat(a.json().getString("error")).contains("Origin: https://evil.example");
        assertNothingChanged();
    }

    @Test
    @DisplayName("refuses each content type a browser sends cross-site without asking, even with no Origin")
    void refusesSimpleContentTypes() throws Exception {
        for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "text/plain;charset=UTF-8", "TEXT/PLAIN"}) {
            RawHttp.Answer a = http.send("POST", "/v1/apps/web1/drain", "x", "Content-Type: " + type);
            assertThat(a.status()).as("Content-Type %s: %s", type, a).isEqualTo(403);
            assertThat(a.json().getString("error")).contains("Content-Type: " + type);
        }
        assertNothingChanged();
    }

    @Test
    @DisplayName("refuses Sec-Fetch-Site cross-site and same-site")
    void refusesFetchMetadata() throws Exception {
        for (String site : new String[] {"cross-site", "same-site"}) {
            RawHttp.Answer a = http.post("/v1/apps/web1/restart", "Sec-Fetch-Site: " + site);
            assertThat(a.status()).as("%s", a).isEqualTo(403);
            assertThat(a.json().getString("error")).contains("Sec-Fetch-Site: " + site);
        }
        assertNothingChanged();
    }

    @Test
    @DisplayName("refuses a Host that is a name other than localhost (DNS rebinding), on GET and POST")
    void refusesForeignHost() throws Exception {
        RawHttp.Answer get = http.get("/v1/apps", "Host: rebind.evil.example:" + api.port());
        RawHttp.Answer post = http.post("/v1/roll", "Host: rebind.evil.example");
        assertThat(get.status()).as("%s", get).isEqualTo(403);
        assertThat(get.json().getString("error")).contains("Host: rebind.evil.example:" + api.port());
        assertThat(post.status()).as("%s", post).isEqualTo(403);
        assertNothingChanged();
    }

    @Test
    @DisplayName("with a token any Host name is accepted (a page cannot send the token), and a wrong token is 401")
    void tokenMakesTheHostCheckMoot() throws Exception {
        try (ApiFixture withToken = new ApiFixture("s3cret", "web1")) {
            RawHttp.Answer named = withToken.http().get("/v1/apps", "Host: app-host-7.example:9901",
                    "Authorization: Bearer s3cret");
            assertThat(named.status()).as("%s", named).isEqualTo(200);
            RawHttp.Answer wrong = withToken.http().get("/v1/apps", "Authorization: Bearer s3cres");
            assertThat(wrong.status()).as("%s", wrong).isEqualTo(401);
            RawHttp.Answer cross = withToken.http().post("/v1/roll", "Authorization: Bearer s3cret",
                    "Origin: https://evil.example");
            assertThat(cross.status()).as("a foreign Origin even with the token: %s", cross).isEqualTo(403);
        }
    }

    @Test
    @DisplayName("answers localhost, IPv4 and IPv6 Hosts, and same-origin or no-body POSTs as curl sends them")
    void acceptsOwnClients() throws Exception {
        for (String host : new String[] {"localhost:" + api.port(), "127.0.0.1", "[::1]:" + api.port(), "LOCALHOST"}) {
            RawHttp.Answer a = http.get("/v1/apps", "Host: " + host);
            assertThat(a.status()).as("Host %s: %s", host, a).isEqualTo(200);
        }
        // curl -fsS -X POST: Host, User-Agent, Accept, nothing else
        RawHttp.Answer curl = http.post("/v1/apps/web1/drain", "User-Agent: curl/8.5.0", "Accept: */*");
        assertThat(curl.status()).as("%s", curl).isEqualTo(200);
        assertThat(curl.json().getString("state")).isEqualTo("OUT_OF_ROTATION");
        RawHttp.Answer json = http.send("POST", "/v1/apps/web1/restore", "{}", "Content-Type: application/json",
                "Origin: http://127.0.0.1:" + api.port(), "Sec-Fetch-Site: same-origin");
        assertThat(json.status()).as("%s", json).isEqualTo(200);
        assertThat(api.flips).containsExactly("web1 close main", "web1 open main");
    }

    @Test
    @DisplayName("refuses bodies: malformed JSON and unknown parameters 400, past 64 KiB 413, each naming why")
    void refusesBodies() throws Exception {
        RawHttp.Answer malformed = http.send("POST", "/v1/apps/web1/drain", "{\"x\":", "Content-Type: application/json");
        assertThat(malformed.status()).as("%s", malformed).isEqualTo(400);
        assertThat(malformed.json().getString("error")).contains("not a JSON object");
        RawHttp.Answer array = http.send("POST", "/v1/roll", "[1,2]", "Content-Type: application/json");
        assertThat(array.status()).as("%s", array).isEqualTo(400);
        RawHttp.Answer param = http.send("POST", "/v1/roll", "{\"apps\":[\"web2\"]}", "Content-Type: application/json");
        assertThat(param.status()).as("%s", param).isEqualTo(400);
        assertThat(param.json().getString("error")).contains("unknown parameter 'apps'");
        RawHttp.Answer huge = http.send("POST", "/v1/roll", "{\"a\":\"" + "x".repeat(200_000) + "\"}",
                "Content-Type: application/json");
        assertThat(huge.status()).as("%s", huge).isEqualTo(413);
        assertThat(huge.json().getString("error")).contains("too large").contains("65536");
        assertNothingChanged();
    }

    @Test
    @DisplayName("answers hostile app names in paths with 400 or 404, never 500, echoing nothing unprintable")
    void hostileNames() throws Exception {
        String[] paths = {"/v1/apps/../drain", "/v1/apps/%2e%2e/drain", "/v1/apps/%2E%2E%2Fetc/drain",
            "/v1/apps/..%2f..%2fetc%2fpasswd", "/v1/apps/web1%00/drain", "/v1/apps/web%0d%0aX-Evil:%201/drain",
            "/v1/apps/%1b%5b31m/drain", "/v1/apps/" + "a".repeat(1500) + "/drain", "/v1/apps/%ff%fe",
            "/v1/apps/web1/drain/../restart", "//v1//apps//web1//drain", "/v1/apps/%/drain"};
        for (String path : paths) {
            RawHttp.Answer a = http.post(path);
            assertThat(a.status()).as("POST %s: %s", path, a).isIn(400, 404, 405);
            assertThat(a.body()).as("POST %s", path).doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("\u001b").doesNotContain("\r\nX-Evil").hasSizeLessThan(1000);
            assertThat(a.head()).as("POST %s", path).doesNotContain("X-Evil");
        }
        RawHttp.Answer named = http.post("/v1/apps/%01web1/drain");
        assertThat(named.json().getString("error")).contains("not a control API path: '/v1/apps/%01web1/drain'");
        RawHttp.Answer tooLong = http.post("/v1/apps/" + "a".repeat(300) + "/drain");
        assertThat(tooLong.json().getString("error")).contains("not an app name: 'aaaa").contains("(300 characters)");
        assertNothingChanged();
    }

    @Test
    @DisplayName("refuses a request line past 2048 bytes and headers past 8 KiB")
    void refusesOversizedHeads() throws Exception {
        RawHttp.Answer line = http.get("/v1/apps?" + "q".repeat(3000));
        assertThat(line.status()).as("%s", line.head()).isEqualTo(414);
        RawHttp.Answer headers = http.get("/v1/apps", "X-Big: " + "h".repeat(10_000));
        assertThat(headers.status()).as("%s", headers.head()).isEqualTo(431);
        byte[] raw = ("GET /v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(http.exchange(raw, new byte[0]).status()).as("a normal request afterwards").isEqualTo(200);
    }
}
