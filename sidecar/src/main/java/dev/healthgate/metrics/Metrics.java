package dev.healthgate.metrics;

import dev.healthgate.cycle.AppInstance;
import dev.healthgate.cycle.CycleListener;
import dev.healthgate.cycle.CycleResult;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.PhaseResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;

/**
 * Prometheus metrics: each app's state (1 for the current one), cycles by outcome, phase durations.
 */
public final class Metrics implements CycleListener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public Metrics(Collection<AppInstance> apps) {
        for (AppInstance app : apps) {
            for (CycleState state : CycleState.values()) {
                Gauge.builder("healthgate_app_state", app, a -> a.state() == state ? 1 : 0)
                        .description("1 for the state the app is in")
                        .tags("app", app.name(), "state", state.name())
                        .register(registry);
            }
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void onPhase(String app, PhaseResult phase) {
        Timer.builder("healthgate_phase")
                .description("duration of each phase of a cycle")
                .tags("app", app, "phase", phase.name())
                .register(registry)
                .record(Duration.ofMillis(phase.ms()));
    }

    @Override
    public void onResult(CycleResult result) {
        Counter.builder("healthgate_cycles")
                .description("cycles by action and outcome")
                .tags("app", result.app(), "action", result.action().key(), "outcome", result.ok() ? "ok" : "failed")
                .register(registry)
                .increment();
    }
}
