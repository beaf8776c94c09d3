package dev.healthgate.config;

import dev.healthgate.os.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads an app's {@code restart:} mapping: exactly one of {@code exec}, {@code signal} and
 * {@code supervise}, plus {@code keeps-port-open} and {@code timeout}. Errors name the key path and value.
 */
final class RestartConfig {

    private static final List<String> STRATEGIES = List.of("exec", "signal", "supervise");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?|[0-9]{1,10}");

    private RestartConfig() {
    }

    static RestartSpec parse(ConfigNode node) {
        List<String> given = STRATEGIES.stream().filter(node::has).toList();
        if (given.isEmpty()) {
            throw ConfigException.at(node.pathOf("exec"), "is required: give one of exec (a command such as "
                    + "[systemctl, restart, web1]), signal (a pid file and a signal) or supervise (healthgate runs the app)");
        }
        if (given.size() > 1) {
            throw ConfigException.at(node.pathOf(given.get(1)),
                    "give only one of exec, signal and supervise (also " + node.pathOf(given.get(0)) + ")");
        }
        List<String> exec = given.contains("exec") ? node.strings("exec") : List.of();
        SignalSpec signal = given.contains("signal") ? signal(node.node("signal")) : null;
        SuperviseSpec supervise = given.contains("supervise") ? supervise(node.node("supervise")) : null;
        boolean keepsPortOpen = node.bool("keeps-port-open", false);
        Duration timeout = node.duration("timeout", Duration.ofSeconds(60), Duration.ofMillis(100));
        node.requireNoUnknownKeys();
        if (supervise != null && keepsPortOpen && !supervise.holdSocket()) {
            throw ConfigException.at(node.pathOf("keeps-port-open"), true,
                    "supervise stops the old process before it starts the new one, so the port closes"
                            + " (unless supervise.hold-socket: true keeps it open)");
        }
        return new RestartSpec(exec, signal, supervise, keepsPortOpen, timeout);
    }

    private static SignalSpec signal(ConfigNode node) {
        Path pidfile = absolutePath(node, "pidfile", true);
        if (!node.has("signal")) {
            throw ConfigException.at(node.pathOf("signal"), "is required: the signal that restarts the app, e.g. USR2");
        }
        Signal signal = signalAt(node, "signal", null);
        if (!signal.catchable()) {
            throw ConfigException.at(node.pathOf("signal"), signal.name(),
                    "cannot be caught, so the app cannot restart on it (Unicorn: USR2, Puma: USR1 or USR2)");
        }
        boolean newPid = node.bool("new-pid", true);
        Signal thenOld = node.has("then-old") ? signalAt(node, "then-old", null) : null;
        Path newPidfile = absolutePath(node, "new-pidfile", false);
        node.requireNoUnknownKeys();
        if (newPidfile != null && !newPid) {
            throw ConfigException.at(node.pathOf("new-pidfile"), newPidfile.toString(),
                    "needs new-pid: true (when the pid stays the same no new process writes a pid)");
        }
        if (newPidfile != null && newPidfile.equals(pidfile)) {
            throw ConfigException.at(node.pathOf("new-pidfile"), newPidfile.toString(),
                    "is the pid file itself; leave new-pidfile out when the new process writes the pid file");
        }
        if (thenOld != null && !newPid) {
            throw ConfigException.at(node.pathOf("then-old"), thenOld.name(),
                    "needs new-pid: true (when the pid stays the same there is no old process to signal)");
        }
        return new SignalSpec(pidfile, signal, newPid, thenOld, newPidfile);
    }

    private static SuperviseSpec supervise(ConfigNode node) {
        if (!node.has("command")) {
            throw ConfigException.at(node.pathOf("command"), "is required: the app's command as a list of arguments");
        }
        List<String> command = node.strings("command");
        Path dir = absolutePath(node, "dir", false);
        Map<String, String> env = node.stringMap("env");
        for (String name : env.keySet()) {
            if (!ENV_NAME.matcher(name).matches()) {
                throw ConfigException.at(node.pathOf("env") + "." + name,
                        "not a variable name (letters, digits and '_', not starting with a digit)");
            }
        }
        String user = node.string("user", null);
        if (user != null && !USER.matcher(user).matches()) {
            throw ConfigException.at(node.pathOf("user"), user, "must be a user name or a numeric uid");
        }
        Signal stopSignal = signalAt(node, "stop-signal", Signal.TERM);
        Duration stopTimeout = node.duration("stop-timeout", Duration.ofSeconds(30), Duration.ZERO);
        boolean holdSocket = node.bool("hold-socket", false);
        node.requireNoUnknownKeys();
        return new SuperviseSpec(command, dir, env, user, stopSignal, stopTimeout, holdSocket);
    }

    private static Signal signalAt(ConfigNode node, String key, Signal fallback) {
        String name = node.string(key, null);
        if (name == null) {
            return fallback;
        }
        try {
            return Signal.fromName(name);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(node.pathOf(key), name, e.getMessage());
        }
    }

    private static Path absolutePath(ConfigNode node, String key, boolean required) {
        String text = required ? node.requiredString(key) : node.string(key, null);
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/") || text.indexOf('\0') >= 0) {
            throw ConfigException.at(node.pathOf(key), text, "must be an absolute path");
        }
        return Path.of(text).normalize();
    }
}
