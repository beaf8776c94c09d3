package dev.healthgate.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates {@code healthgate.yml}. Every error names the key path and the value; nothing is
 * started from a config that fails here.
 */
public final class ConfigLoader {

    private static final Pattern APP_NAME = AppConfig.NAME;
    private static final Pattern HTTP_PATH = Pattern.compile("/[\\x21-\\x7e]*");

    private ConfigLoader() {
    }

    public static HealthgateConfig load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return parse(reader, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    public static HealthgateConfig parse(String yaml) {
        return parse(new StringReader(yaml), "(inline)");
    }

    private static HealthgateConfig parse(Reader reader, String source) {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (YAMLException e) {
            throw new ConfigException("not valid YAML in " + source + ": " + e.getMessage());
        }
        ConfigNode root = ConfigNode.root(document);
        ControlConfig control = control(root.node("control"));
        HaproxyTiming haproxy = haproxy(root.node("haproxy"));
        List<AppConfig> apps = apps(root, haproxy);
        Path stateDir = stateDir(root);
        root.requireNoUnknownKeys();
        if (!haproxy.nodes().isEmpty()) {
            apps.stream().filter(a -> a.gate() == GateKind.AGENT).findFirst().ifPresent(a -> {
                throw ConfigException.at("haproxy.nodes", haproxy.nodes(), "agent checks carry no node name, "
                        + "so gate agent (" + a.name() + ") cannot wait on named nodes: remove haproxy.nodes, "
                        + "or use gate http-404");
            });
        }
        return new HealthgateConfig(control, haproxy, apps, stateDir);
    }

    /**
     * {@code state-dir}: an absolute directory. By default systemd's {@code $STATE_DIRECTORY} (the unit's
     * {@code StateDirectory=}), else {@code /var/lib/healthgate} for root, else
     * {@code $XDG_STATE_HOME/healthgate} ({@code ~/.local/state/healthgate}), so that the one-app form works
     * without root.
     */
    private static Path stateDir(ConfigNode root) {
        String text = root.string("state-dir", null);
        if (text == null) {
            return defaultStateDir();
        }
        if (text.isBlank() || !text.startsWith("/") || text.indexOf('\0') >= 0) {
            throw ConfigException.at("state-dir", text, "must be an absolute directory, e.g. /var/lib/healthgate");
        }
        return Path.of(text).normalize();
    }

    static Path defaultStateDir() {
        String systemd = System.getenv("STATE_DIRECTORY");
        if (systemd != null && systemd.startsWith("/")) {
            return Path.of(systemd.split(":")[0]); // several directories are separated by colons
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/healthgate");
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "healthgate");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "healthgate");
    }

    private static ControlConfig control(ConfigNode node) {
        String listen = node.string("listen", "127.0.0.1:9901");
        String token = node.text("token", null);
        String tokenFile = node.text("token-file", null);
        node.requireNoUnknownKeys();
        if (token != null && tokenFile != null) {
            throw ConfigException.at(node.pathOf("token-file"), tokenFile, "give either control.token or "
                    + "control.token-file, not both");
        }
        if (tokenFile != null) {
            token = TokenSource.read(node.pathOf("token-file"), Path.of(tokenFile));
        }
        HostPort hp = HostPort.parse(node.pathOf("listen"), listen);
        if (!isLoopback(hp.host()) && (token == null || token.isBlank())) {
            throw ConfigException.at(node.pathOf("listen"), listen,
                    "listening beyond loopback requires control.token");
        }
        return new ControlConfig(hp.host(), hp.port(), token == null || token.isBlank() ? null : token);
    }

    private static HaproxyTiming haproxy(ConfigNode node) {
        Duration inter = node.duration("inter", Duration.ofMillis(500), Duration.ofMillis(10));
        // A fifth of inter by default: a line in transition or DOWN is checked often, so HAProxy acts (and
        // healthgate sees it act) soon after a flip, while a line in steady state is checked every inter.
        Duration quick = inter.dividedBy(5).compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10)
                : inter.dividedBy(5);
        Duration fastinter = atMostInter(node, "fastinter", quick, inter);
        Duration downinter = atMostInter(node, "downinter", quick, inter);
        int fall = node.integer("fall", 2, 1, 100);
        int rise = node.integer("rise", 2, 1, 100);
        int retries = node.integer("retries", 3, 0, 100);
        String bind = node.string("bind", "127.0.0.1:8080");
        HostPort.parse(node.pathOf("bind"), bind.startsWith("*:") ? "0.0.0.0" + bind.substring(1) : bind);
        String backend = node.string("backend", "app");
        if (!APP_NAME.matcher(backend).matches()) {
            throw ConfigException.at(node.pathOf("backend"), backend, "must be letters, digits, '_', '.', '-'");
        }
        List<String> nodes = node.optionalStrings("nodes");
        for (String n : nodes) {
            if (!APP_NAME.matcher(n).matches()) {
                throw ConfigException.at(node.pathOf("nodes"), n, "must be HAProxy node names (letters, digits, '_', '.', '-')");
            }
        }
        SourceAddresses sources = SourceAddresses.parse(node.pathOf("sources"), node.optionalStrings("sources"));
        node.requireNoUnknownKeys();
        return new HaproxyTiming(inter, fastinter, downinter, fall, rise, retries, bind, backend, nodes, sources);
    }

    private static Duration atMostInter(ConfigNode node, String key, Duration fallback, Duration inter) {
        Duration d = node.duration(key, fallback, Duration.ofMillis(10));
        if (d.compareTo(inter) > 0) {
            throw ConfigException.at(node.pathOf(key), Durations.haproxy(d), "must not be longer than haproxy.inter ("
                    + Durations.haproxy(inter) + "): healthgate's timed waits count in inters");
        }
        return d;
    }

    private static List<AppConfig> apps(ConfigNode root, HaproxyTiming haproxy) {
        if (!root.has("apps")) {
            throw ConfigException.at("apps", "is required: list at least one app");
        }
        List<ConfigNode> nodes = root.nodes("apps");
        if (nodes.isEmpty()) {
            throw ConfigException.at("apps", "must list at least one app");
        }
        List<AppConfig> apps = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> ports = new HashMap<>();
        for (ConfigNode node : nodes) {
            AppConfig app = app(node, haproxy);
            String prior = names.putIfAbsent(app.name(), node.pathOf("name"));
            if (prior != null) {
                throw ConfigException.at(node.pathOf("name"), app.name(), "duplicate app name (also " + prior + ")");
            }
            claimPort(ports, node.pathOf("port"), app.host(), app.port());
            claimPort(ports, node.pathOf("status-port"), app.host(), app.statusPort());
            if (app.gate().hasBackupLine()) {
                claimPort(ports, node.pathOf("backup-status-port"), app.host(), app.backupStatusPort());
            }
            apps.add(app);
        }
        return apps;
    }

    private static void claimPort(Map<String, String> claimed, String path, String host, int port) {
        String prior = claimed.putIfAbsent(host + ":" + port, path);
        if (prior != null) {
            throw ConfigException.at(path, port, "duplicate port on " + host + " (also " + prior + ")");
        }
    }

    private static AppConfig app(ConfigNode node, HaproxyTiming haproxy) {
        String name = node.requiredString("name");
        if (!APP_NAME.matcher(name).matches()) {
            throw ConfigException.at(node.pathOf("name"), name, "must be " + AppConfig.NAME_RULE);
        }
        String host = node.string("host", "127.0.0.1");
        HostPort.parse(node.pathOf("host"), host + ":1");
        int port = node.port("port");
        int statusPort = node.port("status-port");
        String gateName = node.string("gate", "nat");
        GateKind gate;
        try {
            gate = GateKind.fromKey(gateName);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(node.pathOf("gate"), gateName, e.getMessage());
        }
        int backupStatusPort = 0;
        if (gate.hasBackupLine()) {
            backupStatusPort = node.port("backup-status-port");
        } else if (node.has("backup-status-port")) {
            throw ConfigException.at(node.pathOf("backup-status-port"), node.string("backup-status-port", null),
                    "gate " + gate.key() + " has no backup line (HAProxy keeps sticky clients itself): remove it");
        }
        AgentRamp ramp = gate == GateKind.AGENT ? ramp(node.node("agent-ramp")) : AgentRamp.NONE;
        if (gate != GateKind.AGENT && node.has("agent-ramp")) {
            throw ConfigException.at(node.pathOf("agent-ramp"), "only the agent gate announces weights");
        }
        ReadyCheck ready = ready(node.node("ready"));
        RestartSpec restart = restart(node.node("restart"));
        if (restart.supervise() != null && restart.supervise().holdSocket() && ready.httpPath() == null) {
            // the held socket accepts connections while no process serves: only an answer says ready
            throw ConfigException.at(node.pathOf("ready"), "needs http: with restart.supervise.hold-socket"
                    + " (a held socket accepts TCP connections before the app serves)");
        }
        Duration stickyGrace = node.duration("sticky-grace", Duration.ofSeconds(5), Duration.ZERO);
        Duration drainTimeout = node.duration("drain-timeout", Duration.ofSeconds(30), haproxy.inter());
        boolean restoreOnStart = node.bool("restore-on-start", true);
        String statusListen = statusListen(node, gate, host);
        node.requireNoUnknownKeys();
        return new AppConfig(name, host, port, statusPort, backupStatusPort, gate, ready, restart,
                stickyGrace, drainTimeout, restoreOnStart, ramp, statusListen);
    }

    /**
     * {@code status-listen}: an IP address of this host (the listener fails to start otherwise, naming it).
     * A nat gate's checks go to the app's host and port, redirected or not, so its listeners must be
     * reachable there.
     */
    private static String statusListen(ConfigNode node, GateKind gate, String host) {
        String listen = node.string("status-listen", AppConfig.ANY_ADDRESS);
        String path = node.pathOf("status-listen");
        if (SourceAddresses.literal(listen) == null) {
            throw ConfigException.at(path, listen, "must be an IP address of this host (0.0.0.0 for every address)");
        }
        boolean everywhere = listen.equals(AppConfig.ANY_ADDRESS) || listen.equals("::");
        if (gate == GateKind.NAT && !everywhere && !listen.equals(host)) {
            throw ConfigException.at(path, listen, "gate nat: HAProxy checks the app's host (" + host
                    + "), so the status listeners must listen there or everywhere (0.0.0.0)");
        }
        return listen;
    }

    private static AgentRamp ramp(ConfigNode node) {
        int from = node.integer("from", 100, 1, 100);
        Duration over = node.duration("over", Duration.ZERO, Duration.ZERO);
        node.requireNoUnknownKeys();
        return new AgentRamp(from, over);
    }

    private static ReadyCheck ready(ConfigNode node) {
        boolean tcp = node.bool("tcp", false);
        String http = node.string("http", null);
        int expect = node.integer("expect", 200, 100, 599);
        Duration timeout = node.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(100));
        node.requireNoUnknownKeys();
        if (tcp && http != null) {
            throw ConfigException.at(node.pathOf("tcp"), "choose either http or tcp, not both");
        }
        if (http != null && !HTTP_PATH.matcher(http).matches()) {
            throw ConfigException.at(node.pathOf("http"), http, "must be a path starting with '/' without spaces");
        }
        return new ReadyCheck(http, expect, timeout);
    }

    /** {@code restart:}: exactly one of exec, signal and supervise (see {@link RestartConfig}). */
    private static RestartSpec restart(ConfigNode node) {
        return RestartConfig.parse(node);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A {@code host:port} pair; IPv6 hosts in brackets. */
    record HostPort(String host, int port) {

        static HostPort parse(String path, String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw ConfigException.at(path, text, "must be host:port");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw ConfigException.at(path, text, "port must be a number 1-65535");
            }
            if (port < 1 || port > 65535) {
                throw ConfigException.at(path, text, "port must be a number 1-65535");
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw ConfigException.at(path, text, "host must not be empty or contain spaces");
            }
            return new HostPort(host, port);
        }
    }
}
