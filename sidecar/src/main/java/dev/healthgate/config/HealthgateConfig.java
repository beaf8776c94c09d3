package dev.healthgate.config;

import java.util.List;
import java.util.Optional;

/** The whole validated configuration of one healthgate: its control API, HAProxy timing and apps. */
public record HealthgateConfig(ControlConfig control, HaproxyTiming haproxy, List<AppConfig> apps) {

    public HealthgateConfig {
        apps = List.copyOf(apps);
    }

    public Optional<AppConfig> app(String name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
