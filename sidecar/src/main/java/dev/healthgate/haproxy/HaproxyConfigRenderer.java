package dev.healthgate.haproxy;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.healthgate.config.AppConfig;
import dev.healthgate.config.Durations;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.config.HealthgateConfig;
import dev.healthgate.config.ReadyCheck;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the HAProxy side of a healthgate config from the templates in {@code haproxy-templates/}
 * (packed into the jar), with the same timing healthgate waits on.
 */
public final class HaproxyConfigRenderer {

    /** HAProxy's config is not HTML: values are written as they are (the config loader vets them). */
    private final DefaultMustacheFactory templates = new DefaultMustacheFactory("haproxy-templates") {
        @Override
        public void encode(String value, java.io.Writer writer) {
            try {
                writer.write(value);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    public String render(HealthgateConfig config, String source) {
        Mustache template = templates.compile("nat.cfg.mustache");
        StringWriter out = new StringWriter();
        template.execute(out, model(config, source));
        return out.toString();
    }

    private static Map<String, Object> model(HealthgateConfig config, String source) {
        HaproxyTiming h = config.haproxy();
        Map<String, Object> m = new HashMap<>();
        m.put("source", source);
        m.put("bind", h.bind());
        m.put("backend", h.backend());
        m.put("retries", h.retries());
        m.put("inter", Durations.haproxy(h.inter()));
        m.put("fall", h.fall());
        m.put("rise", h.rise());
        m.put("httpCheck", httpCheck(config.apps()));
        m.put("apps", config.apps().stream().map(HaproxyConfigRenderer::server).toList());
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

    private static Map<String, Object> server(AppConfig app) {
        String host = app.host().contains(":") ? "[" + app.host() + "]" : app.host();
        return Map.of(
                "name", app.name(),
                "address", host + ":" + app.port(),
                "statusPort", app.statusPort(),
                "backupStatusPort", app.backupStatusPort());
    }
}
