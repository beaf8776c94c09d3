package dev.healthgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthgateCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return HealthgateCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    @DisplayName("an unknown option is a usage error naming it")
    void unknownOptionIsUsageError() {
        assertThat(run("restart", "web1", "--colour", "red")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("Unknown options: '--colour', 'red'");
    }

    @Test
    @DisplayName("a missing config file stops run with exit 2 and names the file")
    void missingConfigFile() {
        assertThat(run("run", "--config", "/nonexistent/healthgate.yml")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("config error: config file not found: /nonexistent/healthgate.yml");
    }

    @Test
    @DisplayName("an unreachable API is exit 3 with where it looked")
    void unreachableApi() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(run("status", "--api", "http://127.0.0.1:" + port)).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(err.toString()).contains("cannot reach the control API at http://127.0.0.1:" + port);
    }

    @Test
    @DisplayName("--token-file sends the file's token, so it never shows in ps; a missing file is a usage error")
    void tokenFromFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "from-a-file\n");
        try (ServerSocket api = new ServerSocket(0)) {
            java.util.concurrent.CompletableFuture<String> head = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = api.accept()) {
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                            s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                    StringBuilder lines = new StringBuilder();
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        lines.append(line).append('\n');
                    }
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 11\r\nConnection: close\r\n\r\n{\"apps\":[]}").getBytes());
                    return lines.toString();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            run("status", "--api", "http://127.0.0.1:" + api.getLocalPort(), "--token-file", file.toString());
            assertThat(head.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("request head")
                    .containsIgnoringCase("Authorization: Bearer from-a-file\n");
        }
        assertThat(run("status", "--token-file", dir.resolve("nope").toString())).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--token-file = " + dir.resolve("nope") + ": no such file");
        assertThat(run("status", "--token", "x", "--token-file", file.toString())).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("give either --token or --token-file, not both");
    }

    @Test
    @DisplayName("a malformed --api is a usage error naming the value")
    void badApiUrl() {
        assertThat(run("status", "--api", "ftp://x")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--api ftp://x: must be http://HOST:PORT");
    }

    @Test
    @DisplayName("haproxy-config renders a main and a backup line per app from the same timing")
    void rendersHaproxyConfig(@TempDir Path dir) throws IOException {
        Path yml = dir.resolve("healthgate.yml");
        Files.writeString(yml, dev.healthgate.config.ConfigLoaderTest.VALID);
        assertThat(run("haproxy-config", "--config", yml.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString())
                .contains("default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 3")
                .contains("server web1 10.0.0.5:8001 cookie web1 check port 9001\n")
                .contains("server web1-bkp 10.0.0.5:8001 cookie web1 check port 9101 backup\n")
                .contains("server web2 127.0.0.1:8002 cookie web2 check port 9002\n")
                .contains("cookie SRV insert indirect nocache")
                .as("apps check differently (http and tcp): TCP checks").doesNotContain("option httpchk");
    }

    @Test
    @DisplayName("--help lists every command")
    void helpListsCommands() {
        assertThat(run("--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("run", "status", "drain", "restore", "restart", "roll", "haproxy-config");
    }
}
