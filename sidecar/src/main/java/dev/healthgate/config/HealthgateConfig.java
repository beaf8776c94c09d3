package dev.healthgate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole validated configuration of one healthgate: its control API, HAProxy timing, apps, and the
 * directory where it keeps each app's state across its own restarts.
 *
 * @param stateDir {@code state-dir}: where each app's intended state and current cycle phase are written
 *                 (one small file per app), so that a healthgate that died or was restarted finds them again
 */
public record HealthgateConfig(ControlConfig control, HaproxyTiming haproxy, List<AppConfig> apps, Path stateDir) {

    public HealthgateConfig {
        apps = List.copyOf(apps);
    }

    public Optional<AppConfig> app(String name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
