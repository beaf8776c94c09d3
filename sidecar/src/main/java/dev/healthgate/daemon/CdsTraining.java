package dev.healthgate.daemon;

import dev.healthgate.cli.HealthgateCli;
import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * Build-time training run for the AppCDS archive ({@code sidecar/target/healthgate.jsa}): starts a
 * daemon with a port gate on free loopback ports, asks it for its apps and metrics through the CLI,
 * renders a template, and stops. Run by Maven with {@code -XX:ArchiveClassesAtExit}; the launcher then
 * starts healthgate from the archive in about half the time. Needs no root and touches nothing.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        int api = freePort();
        String yaml = """
                control:
                  listen: 127.0.0.1:%d
                apps:
                  - name: train
                    port: %d
                    status-port: %d
                    backup-status-port: %d
                    gate: port
                    ready: { http: /health, timeout: 1s }
                    restart: { exec: ["true"] }
                    restore-on-start: false
                """.formatted(api, freePort(), freePort(), freePort());
        HealthgateConfig config = ConfigLoader.parse(yaml);
        Daemon daemon = Daemon.start(config);
        try {
            StringWriter sink = new StringWriter();
            PrintWriter out = new PrintWriter(sink);
            HealthgateCli.execute(out, out, "status", "--api", "http://127.0.0.1:" + api);
            HealthgateCli.execute(out, out, "restore", "train", "--api", "http://127.0.0.1:" + api);
            HealthgateCli.execute(out, out, "--help");
            new dev.healthgate.haproxy.HaproxyConfigRenderer().render(config, "training", null);
        } finally {
            daemon.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
