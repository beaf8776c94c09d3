package dev.healthgate.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A small synchronous client of the control API for the CLI. Maps HTTP answers to the CLI's exit codes:
 * 404 unknown app, 409 busy, anything else non-2xx a failure.
 */
final class ApiClient {

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    JsonObject get(String path) {
        HttpResponse<String> resp = send(request(path).GET().timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject body = parse(resp.body(), path);
        requireOk(resp.statusCode(), body);
        return body;
    }

    /**
     * POSTs and reads the streamed progress: every phase line goes to {@code onEvent}; returns the final
     * result line. No overall timeout: a restart takes as long as its bounded phases take.
     */
    JsonObject postStreaming(String path, Consumer<JsonObject> onEvent) {
        HttpRequest req = request(path).header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<InputStream> resp = send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            if (resp.statusCode() != 200) {
                StringBuilder text = new StringBuilder();
                in.lines().forEach(text::append);
                requireOk(resp.statusCode(), parse(text.toString(), path));
            }
            JsonObject last = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject event = parse(line, path);
                if ("result".equals(event.getString("event"))) {
                    last = event;
                } else {
                    onEvent.accept(event);
                }
            }
            if (last == null) {
                throw new ExitException(ExitCode.UNREACHABLE, "the control API closed the connection before the "
                        + "result; the cycle goes on in healthgate: see `healthgate status`");
            }
            return last;
        } catch (IOException e) {
            throw new ExitException(ExitCode.UNREACHABLE, "lost the connection to " + base + " during " + path
                    + " (" + e.getMessage() + "); the cycle goes on in healthgate: see `healthgate status`");
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            throw new ExitException(ExitCode.UNREACHABLE, "cannot reach the control API at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (is `healthgate run` running? --api or --config say where)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExitException(ExitCode.FAILED, "interrupted");
        }
    }

    private static JsonObject parse(String text, String path) {
        try {
            return new JsonObject(text);
        } catch (DecodeException e) {
            throw new ExitException(ExitCode.FAILED, path + ": the control API answered something that is not "
                    + "JSON: " + text.strip());
        }
    }

    private static void requireOk(int status, JsonObject body) {
        if (status / 100 == 2) {
            return;
        }
        String error = body.getString("error", body.getString("reason", "HTTP " + status));
        switch (status) {
            case 404 -> throw new ExitException(ExitCode.UNKNOWN_APP, error
                    + (body.containsKey("apps") ? " (known: " + String.join(", ", body.getJsonArray("apps")
                            .stream().map(String::valueOf).toList()) + ")" : ""));
            case 409 -> throw new ExitException(ExitCode.BUSY, error);
            case 401 -> throw new ExitException(ExitCode.USAGE, error);
            default -> throw new ExitException(ExitCode.FAILED, error);
        }
    }
}
