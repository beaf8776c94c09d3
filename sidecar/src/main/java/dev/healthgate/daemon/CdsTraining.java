package dev.healthgate.daemon;

import dev.healthgate.cli.HealthgateCli;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Build-time training runs for the AppCDS archives that {@code scripts/healthgate} starts from. Needs no
 * root, uses free loopback ports only, and touches nothing outside a temporary file.
 *
 * <ul>
 *   <li>{@code daemon}: what {@code healthgate run} does from start to idle, through the real command line:
 *       parse a config, start, restore the app (an HTTP ready check against a small responder here), answer
 *       a HAProxy-style check on the status port and the control API's reads, then stop. Run by Maven with
 *       {@code -XX:DumpLoadedClassList}; a static archive of exactly those classes
 *       ({@code healthgate-run.jsa}) keeps the long-running daemon's memory down.</li>
 *   <li>{@code cli} (the default): a daemon plus the client commands, help and a template, for the
 *       dynamic archive ({@code healthgate.jsa}, {@code -XX:ArchiveClassesAtExit}) the short-lived commands
 *       start from.</li>
 * </ul>
 */
public final class CdsTraining {

    private static final long DEADLINE_MS = 20_000;

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "cli" : args[0];
        switch (mode) {
            case "daemon" -> daemon();
            case "cli" -> cli();
            default -> throw new IllegalArgumentException("unknown training mode '" + mode + "' (daemon or cli)");
        }
        System.exit(0);
    }

    private static void daemon() throws Exception {
        int api = freePort();
        int statusPort = freePort();
        try (ServerSocket app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> respondOk(app), "training-app");
            responder.setDaemon(true);
            responder.start();
            Path config = Files.createTempFile("healthgate-training", ".yml");
            // a state-dir of its own: the training must neither read nor leave state in the host's
            Path state = Files.createTempDirectory("healthgate-training-state");
            try {
                Files.writeString(config, config(api, app.getLocalPort(), statusPort, true, state));
                PrintWriter out = new PrintWriter(Writer.nullWriter()); // the training's output is not read
                Thread run = new Thread(() -> HealthgateCli.execute(out, out, "run", "--config", config.toString()),
                        "training-run");
                run.setDaemon(true);
                run.start();
                long deadline = System.currentTimeMillis() + DEADLINE_MS;
                // restore-on-start done: the app is in rotation (no HAProxy checks it, so it is not waited for)
                while (!get(api, "/v1/apps", deadline).contains("\"IN_ROTATION\"")) {
                    pause(deadline);
                }
                get(api, "/v1/apps/train", deadline);
                get(api, "/metrics", deadline);
                get(statusPort, "/", "X-Haproxy-Server-State: UP; address=127.0.0.1; port=%d; name=app/train;"
                        .formatted(app.getLocalPort()) + " node=training; weight=1/1; scur=0/1; qcur=0", deadline);
            } finally {
                Files.deleteIfExists(config);
                try (var files = Files.list(state)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(state);
            }
        }
        // System.exit in main runs the run command's shutdown hook: the daemon's stop is trained too
    }

    private static void cli() throws Exception {
        int api = freePort();
        HealthgateConfig config = ConfigLoader.parse(config(api, freePort(), freePort(), false,
                Path.of(System.getProperty("java.io.tmpdir"), "healthgate-training-state")));
        Daemon daemon = Daemon.start(config);
        try {
            PrintWriter out = new PrintWriter(Writer.nullWriter()); // the training's output is not read
            HealthgateCli.execute(out, out, "status", "--api", "http://127.0.0.1:" + api);
            HealthgateCli.execute(out, out, "restore", "train", "--api", "http://127.0.0.1:" + api);
            HealthgateCli.execute(out, out, "--help");
            new dev.healthgate.haproxy.HaproxyConfigRenderer().render(config, "training", null);
        } finally {
            daemon.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One app with a port gate on the given loopback ports; HAProxy's checks every 100 ms. */
    private static String config(int api, int appPort, int statusPort, boolean restoreOnStart, Path state)
            throws IOException {
        return """
                state-dir: "%s"
                control: { listen: 127.0.0.1:%d }
                haproxy: { inter: 100ms, fall: 2, rise: 2 }
                apps:
                  - name: train
                    port: %d
                    status-port: %d
                    backup-status-port: %d
                    gate: port
                    ready: { http: /health, timeout: 5s }
                    restart: { exec: ["true"] }
                    restore-on-start: %s
                """.formatted(state.toAbsolutePath(), api, appPort, statusPort, freePort(), restoreOnStart);
    }

    /** The app stand-in: answers every request 200 and closes. */
    private static void respondOk(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                readHead(s.getInputStream());
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // closed at the end of training, or a probe that hung up
            }
        }
    }

    private static String get(int port, String path, long deadline) throws InterruptedException {
        return get(port, path, null, deadline);
    }

    /** A GET over a plain socket (no HTTP client library, so its classes stay out of the daemon's list). */
    private static String get(int port, String path, String header, long deadline) throws InterruptedException {
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                OutputStream o = s.getOutputStream();
                o.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        + (header == null ? "" : header + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                o.flush();
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                pause(deadline); // not listening yet
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == end.length) {
                return;
            }
        }
    }

    private static void pause(long deadline) throws InterruptedException {
        if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("training daemon did not get ready within " + DEADLINE_MS + " ms");
        }
        Thread.sleep(20);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
