package dev.healthgate.config;

import java.time.Duration;
import java.util.List;

/**
 * How an app is restarted.
 *
 * @param exec          command run as an argument list (no shell), e.g. {@code [systemctl, restart, web1]}
 * @param keepsPortOpen true when the app hands its listening socket over (Unicorn USR2, Puma phased
 *                      restart): sticky clients then stay on it and the backup gate stays open
 * @param timeout       bound on the restart command
 */
public record RestartSpec(List<String> exec, boolean keepsPortOpen, Duration timeout) {

    public RestartSpec {
        exec = List.copyOf(exec);
    }
}
