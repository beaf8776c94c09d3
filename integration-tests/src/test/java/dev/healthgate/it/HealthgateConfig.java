package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's {@code healthgate.yml}, written the way docs/CONTRACT.md describes it. Defaults are
 * the test timings (500 ms checks, 100 ms while a line changes state or is DOWN, fall 2, rise 2,
 * retries 0); {@link App#extra} adds raw keys, so
 * that bad configs can be written too.
 */
public final class HealthgateConfig {
    private String listen = "127.0.0.1:9901";
    private String token;
    private Duration inter = Duration.ofMillis(500);
    private Duration fastinter = Duration.ofMillis(100);
    private int fall = 2;
    private int rise = 2;
    private int retries = 0;
    private String bind = "127.0.0.1:8080";
    private String backend = "app";
    private List<String> nodes = List.of();
    private Path stateDir;
    private boolean defaultStateDir;
    private final List<App> apps = new ArrayList<>();

    /**
     * {@code state-dir}: where healthgate keeps each app's state. Unset, {@link #writeTo} puts it beside the
     * file ({@code state/}), so that no two scenarios, nor the host's {@code /var/lib/healthgate}, share one.
     */
    public HealthgateConfig stateDir(Path value) {
        this.stateDir = value;
        return this;
    }

    /** Leaves {@code state-dir} out: healthgate's default (under systemd, the unit's StateDirectory). */
    public HealthgateConfig defaultStateDir() {
        this.defaultStateDir = true;
        return this;
    }

    public HealthgateConfig listen(String value) {
        this.listen = value;
        return this;
    }

    /** {@code control.token}: required when {@code control.listen} is beyond loopback. */
    public HealthgateConfig token(String value) {
        this.token = value;
        return this;
    }

    public HealthgateConfig bind(String value) {
        this.bind = value;
        return this;
    }

    /** {@code haproxy.nodes}: the load balancers that must all act (empty: every node seen checking). */
    public HealthgateConfig nodes(List<String> value) {
        this.nodes = List.copyOf(value);
        return this;
    }

    public HealthgateConfig app(App app) {
        apps.add(app);
        return this;
    }

    /**
     * {@code haproxy.retries}: HAProxy's connection retries (with {@code option redispatch}, the
     * last one goes to another server). 0 makes a request sent to a closed port a failure the client
     * sees; with more, only HAProxy's log tells.
     */
    public HealthgateConfig retries(int value) {
        this.retries = value;
        return this;
    }

    /** {@code haproxy.inter}: the time between two of HAProxy's checks. */
    public Duration inter() {
        return inter;
    }

    public HealthgateConfig inter(Duration value) {
        this.inter = value;
        return this;
    }

    /** {@code haproxy.fastinter} (and {@code downinter}): the time between checks of a line in transition or DOWN. */
    public Duration fastinter() {
        return fastinter;
    }

    /** {@code haproxy.fall}: failed checks before HAProxy marks a line DOWN. */
    public int fall() {
        return fall;
    }

    /** {@code haproxy.rise}: good checks before HAProxy marks a line UP. */
    public int rise() {
        return rise;
    }

    /** The control API's base URL, from {@code control.listen}. */
    public String apiBase() {
        return "http://" + listen;
    }

    /** The frontend's port, from {@code haproxy.bind}. */
    public int frontendPort() {
        return Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1));
    }

    public List<App> apps() {
        return List.copyOf(apps);
    }

    /**
     * Writes the YAML to {@code file} and returns it (with {@code state-dir} beside it, unless set or
     * {@link #defaultStateDir}).
     */
    public Path writeTo(Path file) {
        if (stateDir == null && !defaultStateDir) {
            stateDir = file.toAbsolutePath().getParent().resolve("state");
        }
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public String toYaml() {
        StringBuilder y = new StringBuilder();
        if (stateDir != null) {
            y.append("state-dir: ").append(quote(stateDir.toString())).append('\n');
        }
        y.append("control:\n");
        y.append("  listen: ").append(quote(listen)).append('\n');
        if (token != null) {
            y.append("  token: ").append(quote(token)).append('\n');
        }
        y.append("haproxy:\n");
        y.append("  inter: ").append(duration(inter)).append('\n');
        y.append("  fastinter: ").append(duration(fastinter)).append('\n');
        y.append("  downinter: ").append(duration(fastinter)).append('\n');
        y.append("  fall: ").append(fall).append('\n');
        y.append("  rise: ").append(rise).append('\n');
        y.append("  retries: ").append(retries).append('\n');
        y.append("  bind: ").append(quote(bind)).append('\n');
        y.append("  backend: ").append(quote(backend)).append('\n');
        if (!nodes.isEmpty()) {
            y.append("  nodes: [");
            for (int i = 0; i < nodes.size(); i++) {
                y.append(i == 0 ? "" : ", ").append(quote(nodes.get(i)));
            }
            y.append("]\n");
        }
        y.append("apps:\n");
        for (App a : apps) {
            a.appendTo(y);
        }
        return y.toString();
    }

    /** One entry of {@code apps:}. */
    public static final class App {
        private String name;
        private String host = "127.0.0.1";
        private int port;
        private int statusPort;
        private int backupStatusPort;
        private String gate = "nat";
        private String readyHttp = "/health";
        private int readyExpect = 200;
        private Duration readyTimeout = Duration.ofSeconds(30);
        private List<String> restartExec = List.of("true");
        private String restartStrategy;
        private boolean keepsPortOpen = false;
        private Duration restartTimeout = Duration.ofSeconds(60);
        private Duration stickyGrace = Duration.ofSeconds(2);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private final Map<String, String> extra = new LinkedHashMap<>();

        /** An app with its own port and its two status ports. */
        public App(String name, int port, int statusPort, int backupStatusPort) {
            this.name = name;
            this.port = port;
            this.statusPort = statusPort;
            this.backupStatusPort = backupStatusPort;
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public App name(String value) {
            this.name = value;
            return this;
        }

        /** {@code host}: the address HAProxy reaches the app and its status ports at. */
        public App host(String value) {
            this.host = value;
            return this;
        }

        public App port(int value) {
            this.port = value;
            return this;
        }

        public App statusPort(int value) {
            this.statusPort = value;
            return this;
        }

        /**
         * {@code gate}: nat, port, http-404 or agent. The gates without a backup line (http-404,
         * agent) get no {@code backup-status-port}, which healthgate refuses for them.
         */
        public App gate(String value) {
            this.gate = value;
            return this;
        }

        /** Whether the gate uses a backup server line (nat and port). */
        public boolean hasBackupLine() {
            return !gate.equals("http-404") && !gate.equals("agent");
        }

        public App readyTimeout(Duration value) {
            this.readyTimeout = value;
            return this;
        }

        public App restartExec(List<String> value) {
            this.restartExec = List.copyOf(value);
            return this;
        }

        /**
         * Replaces {@code restart.exec} with another strategy, written as given (one YAML line), e.g.
         * {@code signal: { pidfile: /x.pid, signal: USR2 }}.
         */
        public App restartStrategy(String yamlLine) {
            this.restartStrategy = yamlLine;
            return this;
        }

        public App keepsPortOpen(boolean value) {
            this.keepsPortOpen = value;
            return this;
        }

        public App restartTimeout(Duration value) {
            this.restartTimeout = value;
            return this;
        }

        public App stickyGrace(Duration value) {
            this.stickyGrace = value;
            return this;
        }

        public App drainTimeout(Duration value) {
            this.drainTimeout = value;
            return this;
        }

        /** Adds a raw {@code key: value} line to this app (the value is written as given). */
        public App extra(String key, String rawValue) {
            extra.put(key, rawValue);
            return this;
        }

        void appendTo(StringBuilder y) {
            y.append("  - name: ").append(quote(name)).append('\n');
            y.append("    host: ").append(quote(host)).append('\n');
            y.append("    port: ").append(port).append('\n');
            y.append("    status-port: ").append(statusPort).append('\n');
            if (hasBackupLine()) {
                y.append("    backup-status-port: ").append(backupStatusPort).append('\n');
            }
            y.append("    gate: ").append(gate).append('\n');
            y.append("    ready:\n");
            y.append("      http: ").append(quote(readyHttp)).append('\n');
            y.append("      expect: ").append(readyExpect).append('\n');
            y.append("      timeout: ").append(duration(readyTimeout)).append('\n');
            y.append("    restart:\n");
            if (restartStrategy != null) {
                y.append("      ").append(restartStrategy).append('\n');
            } else {
                y.append("      exec: [");
                for (int i = 0; i < restartExec.size(); i++) {
                    y.append(i == 0 ? "" : ", ").append(quote(restartExec.get(i)));
                }
                y.append("]\n");
            }
            y.append("      keeps-port-open: ").append(keepsPortOpen).append('\n');
            y.append("      timeout: ").append(duration(restartTimeout)).append('\n');
            y.append("    sticky-grace: ").append(duration(stickyGrace)).append('\n');
            y.append("    drain-timeout: ").append(duration(drainTimeout)).append('\n');
            extra.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
        }
    }

    /** {@code 500ms}, {@code 2s}: the duration syntax of the contract. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** A double-quoted YAML scalar (JSON escaping is valid YAML). */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> q.append(c);
            }
        }
        return q.append('"').toString();
    }
}
