package dev.healthgate.haproxy;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.ConfigException;
import dev.healthgate.config.Durations;
import dev.healthgate.config.GateKind;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.config.ReadyCheck;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the HAProxy side of a healthgate config from the templates in {@code haproxy-templates/}
 * (packed into the jar): {@code haproxy.cfg.mustache} and one {@code gate-*.mustache} per gate, with
 * the same timing healthgate waits on.
 */
public final class HaproxyConfigRenderer {

    /** HAProxy's config is not HTML: values are written as they are (the config loader vets them). */
    private final DefaultMustacheFactory templates = new DefaultMustacheFactory("haproxy-templates") {
        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * @param source where the config came from, for the header comment
     * @param node   this load balancer's {@code node} name, or null for HAProxy's default (host name)
     */
    public String render(HealthgateConfig config, String source, String node) {
        Mustache template = templates.compile("haproxy.cfg.mustache");
        StringWriter out = new StringWriter();
        template.execute(out, model(config, source, node));
        return out.toString();
    }

    private static Map<String, Object> model(HealthgateConfig config, String source, String node) {
        HaproxyTiming h = config.haproxy();
        Map<String, Object> httpCheck = httpCheck(config.apps());
        for (AppConfig app : config.apps()) {
            if (app.gate() == GateKind.HTTP_404 && httpCheck == null) {
                throw new ConfigException("apps: gate http-404 (" + app.name() + ") needs HTTP checks: give every "
                        + "app in the backend ready.http with the same path and expect");
            }
        }
        Map<String, Object> m = new HashMap<>();
        m.put("source", source);
        m.put("node", node);
        m.put("gates", config.apps().stream().map(a -> a.gate().key()).distinct().collect(Collectors.joining(", ")));
        m.put("bind", h.bind());
        m.put("backend", h.backend());
        m.put("retries", h.retries());
        m.put("inter", Durations.haproxy(h.inter()));
        m.put("fastinter", Durations.haproxy(h.fastinter()));
        m.put("downinter", Durations.haproxy(h.downinter()));
        m.put("fall", h.fall());
        m.put("rise", h.rise());
        m.put("checkTimeout", Durations.haproxy(HaproxyTiming.CHECK_TIMEOUT));
        m.put("httpCheck", httpCheck);
        m.put("disableOn404", config.apps().stream().anyMatch(a -> a.gate() == GateKind.HTTP_404));
        m.put("apps", config.apps().stream().map(a -> server(a, h)).toList());
        return m;
    }

    /** HTTP checks when every app is checked on the same path and status; otherwise TCP checks. */
    private static Map<String, Object> httpCheck(List<AppConfig> apps) {
        ReadyCheck first = apps.get(0).ready();
        boolean same = first.isHttp() && apps.stream().allMatch(a -> a.ready().isHttp()
                && a.ready().httpPath().equals(first.httpPath())
                && a.ready().expectedStatus() == first.expectedStatus());
        return same ? Map.of("path", first.httpPath(), "status", first.expectedStatus()) : null;
    }

    private static Map<String, Object> server(AppConfig app, HaproxyTiming h) {
        String host = app.host().contains(":") ? "[" + app.host() + "]" : app.host();
        Map<String, Object> m = new HashMap<>();
        m.put("name", app.serverName(false));
        m.put("backupName", app.serverName(true));
        m.put("cookie", app.name());
        m.put("address", host + ":" + app.port());
        m.put("appPort", app.port());
        m.put("statusHost", app.statusHost());
        m.put("statusPort", app.statusPort());
        m.put("backupStatusPort", app.backupStatusPort());
        m.put("inter", Durations.haproxy(h.inter()));
        m.put("gateNat", app.gate() == GateKind.NAT);
        m.put("gatePort", app.gate() == GateKind.PORT);
        m.put("gateHttp404", app.gate() == GateKind.HTTP_404);
        m.put("gateAgent", app.gate() == GateKind.AGENT);
        return m;
    }
}
