package dev.healthgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, {@code scur}: long requests are in flight on both of web1's server lines when its restart
 * drains it (port gate, so HAProxy's checks carry each line's session count). The {@code connections}
 * phase must wait until HAProxy reports no session left, and web1 must be stopped with nothing in
 * flight: its own log says how many requests it had and whether any was cut.
 */
@DisplayName("Sessions in flight")
class SessionsIT {
    private static final Duration CYCLE_BOUND = Duration.ofSeconds(120);
    /** Sent just before the restart, on the main line; they outlast drain, sticky-grace and drain-backup. */
    private static final int MAIN_LINE_MS = 4500;
    /** Sent once the drain is done: sticky clients then reach web1 through its backup line. */
    private static final int BACKUP_LINE_MS = 3000;
    private static final int PER_LINE = 3;
    /**
     * How much earlier than the last slow answer reached the client HAProxy may have reported web1
     * idle: the answer's way from HAProxy to the client over loopback, and phase times rounded down
     * to whole milliseconds. Far below one inter (500 ms), the least an unobserved wait would be off.
     */
    private static final long IDLE_SLACK_MS = 100;
    private static final Pattern IDLE_NOTE = Pattern.compile("observed (\\S.*?) idle");

    /** One slow request: when it was sent and when its answer came, on System.nanoTime's clock. */
    private record Slow(String line, long sentNanos, CompletableFuture<HttpResponse<String>> answer,
            CompletableFuture<Long> answeredNanos) {
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("the restart waits until HAProxy reports no session on web1's lines, and stops web1 with no request in flight")
    void restartWaitsForSessionsInFlight() throws Exception {
        TestDirs dirs = TestDirs.create("SessionsIT");
        try (TwoAppScenario scenario = new TwoAppScenario(dirs)) {
            scenario.start(app -> app.gate("port").stickyGrace(Duration.ofSeconds(1)),
                    app -> app.gate("port").stickyGrace(Duration.ofSeconds(1)));
            Healthgate healthgate = scenario.healthgate();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<Slow> slow = new ArrayList<>();
            for (int i = 0; i < PER_LINE; i++) {
                slow.add(send(client, "main", MAIN_LINE_MS));
            }
            Await.until("web1 to have " + PER_LINE + " slow requests in flight", Duration.ofSeconds(5),
                    () -> count(read(scenario.apps().appLog("web1")), "GET /slow") == 0
                            && healthgate.get("/v1/apps/web1").json().getJsonArray("haproxy").stream()
                                    .map(JsonObject.class::cast)
                                    .anyMatch(r -> "main".equals(r.getString("line")) && r.getInteger("scur") != null
                                            && r.getInteger("scur") >= PER_LINE),
                    () -> healthgate.get("/v1/apps/web1").toString());

            // the restart through the API, each phase streamed as it completes
            long sent = System.nanoTime();
            ManagedProcess hook = ManagedProcess.start("curl POST restart web1",
                    List.of("curl", "-sS", "-N", "-X", "POST", "-H", "Accept: application/x-ndjson", "--max-time",
                            Long.toString(CYCLE_BOUND.toSeconds()), healthgate.apiBase() + "/v1/apps/web1/restart"),
                    dirs.log("web1-restart-curl.log"));
            CycleWatch.StartBounds start = CycleWatch.awaitStart(healthgate, "web1", sent, hook, Duration.ofSeconds(30));
            hook.waitForLog("\"name\":\"drain\"", Duration.ofSeconds(10));
            for (int i = 0; i < PER_LINE; i++) {
                slow.add(send(client, "backup", BACKUP_LINE_MS));
            }
            hook.waitForExit(CYCLE_BOUND);
            long answered = System.nanoTime();
            JsonObject result = resultOf(hook.log());
            assertThat(result.getBoolean("ok")).as("ok in %s", result).isTrue();
            CycleTiming cycle = new CycleTiming(result, start, answered);
            JsonObject connections = GatesIT.phase(result, "connections");
            System.out.printf("cycle: %s%nconnections: %s%n", cycle, connections);

            SoftAssertions soft = new SoftAssertions();
            long connectionsBegan = cycle.surely("connections", "connections").fromNanos();
            long lastAnswer = Long.MIN_VALUE;
            for (Slow s : slow) {
                HttpResponse<String> r = s.answer().get(15, TimeUnit.SECONDS);
                long at = s.answeredNanos().get();
                lastAnswer = Math.max(lastAnswer, at);
                soft.assertThat(r.statusCode()).as("status of a slow request on web1's %s line", s.line()).isEqualTo(200);
                soft.assertThat(r.headers().firstValue("X-Served-By")).as("who served a slow sticky request (%s line)",
                        s.line()).hasValue("web1");
                soft.assertThat((at - connectionsBegan) / 1_000_000)
                        .as("ms from the connections phase's start until a slow request (%s line) was answered: "
                                + "it was in flight when the phase began", s.line())
                        .isPositive();
            }
            Matcher idle = IDLE_NOTE.matcher(String.valueOf(connections.getString("note")));
            assertThat(idle.find()).as("the connections phase observed HAProxy report web1 idle: %s", connections).isTrue();
            long stillInFlightMs = (lastAnswer - connectionsBegan) / 1_000_000;
            System.out.printf("the slow requests ran until at least %d ms after the connections phase began%n",
                    stillInFlightMs);
            soft.assertThat(connections.getLong("ms"))
                    .as("ms the connections phase waited until HAProxy reported web1 idle (%s), against the %d ms "
                            + "the slow requests still ran after the phase began", connections, stillInFlightMs)
                    .isGreaterThanOrEqualTo(stillInFlightMs - IDLE_SLACK_MS);
            checkAppLogShowsNothingCut(soft, read(scenario.apps().appLog("web1")));
            soft.assertAll();
        }
    }

    /**
     * demo_app.py logs every request when it ends, and on SIGTERM how many were in flight and whether
     * it had to cut any. Every slow request must be logged as answered before the SIGTERM arrived.
     */
    private static void checkAppLogShowsNothingCut(SoftAssertions soft, String log) {
        int term = log.indexOf("web1: got SIGTERM, stopping");
        soft.assertThat(term).as("web1's log records the SIGTERM of its restart:%n%s", log).isNotNegative();
        if (term < 0) {
            return;
        }
        String before = log.substring(0, term);
        String after = log.substring(term);
        soft.assertThat(count(before, "GET /slow?ms=" + MAIN_LINE_MS + " 200 ") + count(before,
                "GET /slow?ms=" + BACKUP_LINE_MS + " 200 "))
                .as("slow requests web1 answered 200 before its SIGTERM:%n%s", log).isEqualTo(2 * PER_LINE);
        soft.assertThat(after).as("web1's log after the SIGTERM")
                .containsPattern("listening socket closed; 0 request\\(s\\) in flight")
                .contains("none cut")
                .doesNotContainPattern("request\\(s\\) cut");
    }

    private static Slow send(HttpClient client, String line, int ms) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TwoAppScenario.FRONTEND_PORT
                        + "/slow?ms=" + ms))
                .header("Cookie", "SRV=web1")
                .timeout(Duration.ofSeconds(30))
                .build();
        CompletableFuture<Long> answeredAt = new CompletableFuture<>();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> answeredAt.complete(System.nanoTime()));
        return new Slow(line, sent, answer, answeredAt);
    }

    /** The RESULT line of an NDJSON stream ({@code "event": "result"}). */
    private static JsonObject resultOf(String log) {
        return log.lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
                .filter(o -> "result".equals(o.getString("event"))).findFirst()
                .orElseThrow(() -> new AssertionError("no result line in the NDJSON stream:\n" + log));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
