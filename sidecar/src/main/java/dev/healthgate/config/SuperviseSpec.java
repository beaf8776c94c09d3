package dev.healthgate.config;

import dev.healthgate.os.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Restart strategy {@code supervise}: healthgate starts the app itself and owns the process.
 *
 * <pre>
 * supervise: { command: ["bundle", "exec", "puma", "-p", "8001"], dir: /srv/app,
 *              env: { RAILS_ENV: production }, user: app, stop-signal: TERM, stop-timeout: 30s }
 * </pre>
 *
 * @param command     the program and its arguments (no shell)
 * @param dir         working directory, or {@code null} for healthgate's own
 * @param env         variables added to healthgate's environment
 * @param user        user (name or uid) to run the app as, or {@code null} for healthgate's own
 * @param stopSignal  signal that asks the app to stop gracefully
 * @param stopTimeout how long the app may take to stop before it is killed (SIGKILL)
 * @param holdSocket  whether healthgate binds the app's port itself and hands the listening socket to
 *                    each new process as fd 3 with {@code LISTEN_FDS=1} and {@code LISTEN_PID} (systemd's
 *                    socket activation), so the port stays open across a restart
 */
public record SuperviseSpec(List<String> command, Path dir, Map<String, String> env, String user,
        Signal stopSignal, Duration stopTimeout, boolean holdSocket) {

    public SuperviseSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    /** A spec whose app binds its port itself. */
    public SuperviseSpec(List<String> command, Path dir, Map<String, String> env, String user,
            Signal stopSignal, Duration stopTimeout) {
        this(command, dir, env, user, stopSignal, stopTimeout, false);
    }
}
