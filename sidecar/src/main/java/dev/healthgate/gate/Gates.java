package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.exec.CommandRunner;
import dev.healthgate.observe.HaproxyView;
import dev.healthgate.ready.ReadinessProbe;
import io.vertx.core.Vertx;

/** Builds the gate an app's config names. */
public final class Gates {

    private Gates() {
    }

    public static Gate create(Vertx vertx, AppConfig app, HaproxyTiming timing, HaproxyView view,
            ReadinessProbe probe, CommandRunner runner) {
        return switch (app.gate()) {
            case NAT -> new NatGate(app, "iptables", runner, vertx, timing, view, probe);
            case PORT -> new PortGate(vertx, app, timing, view, probe);
            case HTTP_404 -> new Http404Gate(vertx, app, timing, view, probe);
            case AGENT -> new AgentGate(vertx, app, timing, view, probe);
        };
    }
}
