package dev.healthgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * One wrapped app given on the command line alone
 * ({@code healthgate run --name web1 --port 8001 --status-port 9001 -- bundle exec puma -p 8001}), turned
 * into the healthgate.yml it stands for, so that it is validated exactly like a file. Unset values take
 * the defaults below; errors name the command-line option.
 *
 * @param name             app name
 * @param port             the app's port
 * @param statusPort       main status port
 * @param backupStatusPort backup status port, or null for status-port + 100 (gates with a backup line)
 * @param host             address HAProxy uses to reach the app
 * @param gate             gate, default {@code port} (needs no root)
 * @param readyHttp        HTTP path for readiness, or null for a TCP connect
 * @param readyTimeout     e.g. {@code 30s}, or null
 * @param command          the app's command
 * @param dir              working directory, or null
 * @param env              extra environment
 * @param user             user to run as, or null
 * @param stopSignal       or null for TERM
 * @param stopTimeout      or null for 30s
 * @param listen           control API address, or null for 127.0.0.1:9901
 * @param inter            HAProxy check interval, or null for 500ms
 * @param fall             or null for 2
 * @param rise             or null for 2
 * @param stateDir         {@code state-dir}, or null for its default
 */
public record CommandLineApp(String name, Integer port, Integer statusPort, Integer backupStatusPort, String host,
        String gate, String readyHttp, String readyTimeout, List<String> command, String dir,
        Map<String, String> env, String user, String stopSignal, String stopTimeout, String listen,
        String inter, Integer fall, Integer rise, String stateDir) {

    /** Which option each config key path came from, for error messages. */
    private static final Map<String, String> OPTIONS = options();

    public CommandLineApp {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** The healthgate.yml this command line stands for. */
    public String toYaml() {
        Map<String, Object> root = new LinkedHashMap<>();
        putIf(root, "state-dir", stateDir);
        if (listen != null) {
            root.put("control", Map.of("listen", listen));
        }
        Map<String, Object> haproxy = new LinkedHashMap<>();
        putIf(haproxy, "inter", inter);
        putIf(haproxy, "fall", fall);
        putIf(haproxy, "rise", rise);
        if (!haproxy.isEmpty()) {
            root.put("haproxy", haproxy);
        }
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("name", name);
        putIf(app, "host", host);
        app.put("port", port);
        app.put("status-port", statusPort);
        String gateKey = gate == null ? GateKind.PORT.key() : gate;
        app.put("gate", gateKey);
        if (backupStatusPort != null) {
            app.put("backup-status-port", backupStatusPort);
        } else if (statusPort != null && hasBackupLine(gateKey)) {
            app.put("backup-status-port", statusPort + 100);
        }
        Map<String, Object> ready = new LinkedHashMap<>();
        if (readyHttp != null) {
            ready.put("http", readyHttp);
        } else {
            ready.put("tcp", true);
        }
        putIf(ready, "timeout", readyTimeout);
        app.put("ready", ready);
        Map<String, Object> supervise = new LinkedHashMap<>();
        supervise.put("command", new ArrayList<>(command));
        putIf(supervise, "dir", dir);
        if (!env.isEmpty()) {
            supervise.put("env", new LinkedHashMap<>(env));
        }
        putIf(supervise, "user", user);
        putIf(supervise, "stop-signal", stopSignal);
        putIf(supervise, "stop-timeout", stopTimeout);
        app.put("restart", Map.of("supervise", supervise));
        root.put("apps", List.of(app));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return "# healthgate.yml for: healthgate run --name " + name + " ...\n" + new Yaml(options).dump(root);
    }

    /** Validates the app like a config file; errors name the option they came from. */
    public HealthgateConfig load() {
        if (command.isEmpty()) {
            throw new ConfigException("the app's command is required after --, e.g. -- bundle exec puma -p 8001");
        }
        try {
            return ConfigLoader.parse(toYaml());
        } catch (ConfigException e) {
            throw new ConfigException(fromOption(e.getMessage()));
        }
    }

    static String fromOption(String message) {
        for (Map.Entry<String, String> e : OPTIONS.entrySet()) {
            if (message.startsWith(e.getKey() + " ") || message.startsWith(e.getKey() + ":")
                    || message.startsWith(e.getKey() + ".")) {
                String rest = message.substring(e.getKey().length());
                if (rest.startsWith(".")) { // env.NAME
                    rest = " " + rest.substring(1);
                }
                return e.getValue() + rest;
            }
        }
        return message;
    }

    private static boolean hasBackupLine(String gateKey) {
        try {
            return GateKind.fromKey(gateKey).hasBackupLine();
        } catch (IllegalArgumentException e) {
            return false; // the loader reports the unknown gate
        }
    }

    private static void putIf(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        String app = "apps[0].";
        String sup = app + "restart.supervise.";
        m.put(sup + "command", "the command after --");
        m.put(sup + "dir", "--dir");
        m.put(sup + "env", "--env");
        m.put(sup + "user", "--user");
        m.put(sup + "stop-signal", "--stop-signal");
        m.put(sup + "stop-timeout", "--stop-timeout");
        m.put(app + "ready.http", "--ready-http");
        m.put(app + "ready.timeout", "--ready-timeout");
        m.put(app + "backup-status-port", "--backup-status-port");
        m.put(app + "status-port", "--status-port");
        m.put(app + "port", "--port");
        m.put(app + "name", "--name");
        m.put(app + "host", "--host");
        m.put(app + "gate", "--gate");
        m.put("control.listen", "--listen");
        m.put("state-dir", "--state-dir");
        m.put("haproxy.inter", "--inter");
        m.put("haproxy.fall", "--fall");
        m.put("haproxy.rise", "--rise");
        return m;
    }
}
