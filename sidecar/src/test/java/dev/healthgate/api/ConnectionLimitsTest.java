package dev.healthgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The control API's connection limits, over real sockets with a small cap and a short idle bound. */
@DisplayName("The control API's connection limits")
class ConnectionLimitsTest {

    private static final byte[] KEEP_ALIVE_GET = "GET /v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** Sends a keep-alive GET and reads until its answer's body has come; the connection stays open. */
    private static Socket keptOpen(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        s.getOutputStream().write(KEEP_ALIVE_GET);
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        while (!got.toString().contains("}\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            got.append((char) c);
        }
        return s;
    }

    /** Reads until the server closes (true) or {@code within} passes (false). */
    private static boolean closedWithin(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever else came
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    @DisplayName("closes a kept-alive connection once it has had no request in progress for the idle bound")
    void closesIdleConnections() throws Exception {
        try (ApiFixture api = new ApiFixture(null, 8, Duration.ofMillis(500), "web1");
                Socket idle = keptOpen(api.port())) {
            assertThat(closedWithin(idle, Duration.ofSeconds(5))).as("closed by healthgate").isTrue();
        }
    }

    @Test
    @DisplayName("closes a connection that trickles a request head it never finishes, within the idle bound")
    void closesTricklingConnections() throws Exception {
        try (ApiFixture api = new ApiFixture(null, 8, Duration.ofMillis(500), "web1");
                Socket s = new Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(100);
            OutputStream out = s.getOutputStream();
            out.write("GET /v1/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            long deadline = started + Duration.ofSeconds(5).toNanos();
            boolean closed = false;
            for (int i = 0; !closed && System.nanoTime() < deadline; i++) {
                closed = trickle(s, out, "X-Slow-" + i + ": a\r\n");
            }
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(closed).as("closed by healthgate while the head was still coming (after %d ms)", tookMs)
                    .isTrue();
        }
    }

    @Test
    @DisplayName("counts connections that have sent nothing yet toward the cap")
    void capCountsSilentConnections() throws Exception {
        try (ApiFixture api = new ApiFixture(null, 2, Duration.ofSeconds(30), "web1");
                Socket first = new Socket("127.0.0.1", api.port());
                Socket second = new Socket("127.0.0.1", api.port())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            RawHttp.Answer third = api.http().get("/v1/apps");
            while (third.status() != 503 && System.nanoTime() < deadline) {
                third = api.http().get("/v1/apps"); // the two connects may take a moment to be accepted
            }
            assertThat(third.status()).as("a request while two silent connections are open: %s", third)
                    .isEqualTo(503);
        }
    }

    /**
     * Sends one more header line and waits up to the socket timeout for the server: true once it has answered or
     * closed the connection (end of stream, a reset or a refused write), false while it still waits for the head.
     */
    private static boolean trickle(Socket s, OutputStream out, String line) throws IOException {
        try {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.getInputStream().read(); // an answer or the end of the stream: it no longer waits for the head
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    @DisplayName("keeps a connection whose request is being answered, however long the answer takes")
    void keepsBusyConnections() throws Exception {
        try (ApiFixture api = new ApiFixture(null, 8, Duration.ofMillis(100), "web1")) {
            // a drain takes about 300 ms, three idle bounds; its answer must still arrive
            RawHttp.Answer a = api.http().post("/v1/apps/web1/drain");
            assertThat(a.status()).as("%s", a).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("answers 503 on connections past the cap, and takes new ones once others closed")
    void capsConnections() throws Exception {
        try (ApiFixture api = new ApiFixture(null, 3, Duration.ofSeconds(30), "web1")) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(keptOpen(api.port()));
                }
                RawHttp.Answer fourth = api.http().get("/v1/apps");
                assertThat(fourth.status()).as("a request on a fourth connection: %s", fourth).isEqualTo(503);
                assertThat(fourth.json().getString("error")).contains("too many connections").contains("at most 3");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            RawHttp.Answer a = api.http().get("/v1/apps");
            while (a.status() != 200 && System.nanoTime() < deadline) {
                a = api.http().get("/v1/apps"); // the closes may take a moment to be seen
            }
            assertThat(a.status()).as("a request after the others closed: %s", a).isEqualTo(200);
        }
    }
}
