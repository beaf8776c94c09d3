package dev.healthgate.api;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand over a socket, so a test can send what no well-behaved client would: any Host,
 * raw control characters, an oversized line. One request per connection ({@code Connection: close}).
 */
final class RawHttp {

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** An answer: status (0 when the connection closed without one) and body. */
    record Answer(int status, String head, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        @Override
        public String toString() {
            return status + " " + body.strip();
        }
    }

    /** Sends {@code METHOD target} with Host 127.0.0.1:port, the given extra header lines and body. */
    Answer send(String method, String target, String body, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        boolean hostGiven = false;
        for (String h : headers) {
            hostGiven |= h.regionMatches(true, 0, "Host:", 0, 5);
        }
        if (!hostGiven) {
            req.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            req.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        return exchange(req.toString().getBytes(StandardCharsets.ISO_8859_1), bytes);
    }

    Answer get(String target, String... headers) throws IOException {
        return send("GET", target, null, headers);
    }

    Answer post(String target, String... headers) throws IOException {
        return send("POST", target, null, headers);
    }

    /** Writes head and body as they are and reads the answer until the server closes. */
    Answer exchange(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head);
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before reading all of a refused request
            }
            return parse(readAll(socket.getInputStream()));
        }
    }

    private static String readAll(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // a reset after the answer: keep what came
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static Answer parse(String raw) {
        while (raw.startsWith("HTTP/1.1 1") && raw.indexOf("\r\n\r\n") > 0) {
            raw = raw.substring(raw.indexOf("\r\n\r\n") + 4); // an interim answer (100 Continue): the final one follows
        }
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.") || end < 0) {
            return new Answer(0, raw, "");
        }
        int status = Integer.parseInt(raw.substring(9, 12));
        String head = raw.substring(0, end);
        String body = raw.substring(end + 4);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return new Answer(status, head, body);
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(i, eol).strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
