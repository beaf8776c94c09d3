package dev.healthgate.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps web pages out of the control API. A browser will send a form POST to {@code 127.0.0.1:9901} from
 * any site, and with no token (the loopback default) that would run a restart; a site whose name an
 * attacker re-points at 127.0.0.1 (DNS rebinding) could even read the answers. So, before anything else:
 * <ul>
 * <li>every request, when no token is configured: the {@code Host} header must be {@code localhost}, an IP
 * address, or the configured listen host (a rebinding page can only use a name of its own). With a token
 * any name is accepted: a page cannot send the token, and operators may call a remote host by its name;</li>
 * <li>every request that changes something (anything but GET/HEAD): no {@code Origin} other than this API's
 * own, no {@code Sec-Fetch-Site: cross-site|same-site}, and not one of the content types a browser sends
 * cross-site without asking first ({@code application/x-www-form-urlencoded}, {@code multipart/form-data},
 * {@code text/plain}).</li>
 * </ul>
 * A plain {@code curl -X POST}, the CLI and the Ansible play send none of these. Refusals are 403 and name
 * the header and its value.
 *
 * <p>It also refuses, with 400, a path that no endpoint has: one with characters an app name cannot hold
 * (percent-escapes, control characters) or with {@code .}/{@code ..} segments. A router would resolve
 * {@code /v1/apps/web1/drain/../restart} to a restart; nobody means that.
 */
final class RequestGuard {

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z]+)?");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9/_.-]*");
    private static final Pattern DOT_SEGMENT = Pattern.compile("/(\\.{1,2})?(/|$)");
    private static final Set<String> SIMPLE_TYPES = Set.of("application/x-www-form-urlencoded",
            "multipart/form-data", "text/plain");
    private static final int MAX_ECHO = 80;

    private final String listenHost;
    private final boolean checkHost;

    /** {@code tokenRequired}: every request must carry the token, so the Host need not be checked. */
    RequestGuard(String listenHost, boolean tokenRequired) {
        this.listenHost = unbracket(listenHost).toLowerCase(Locale.ROOT);
        this.checkHost = !tokenRequired;
    }

    void handle(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null || !PATH.matcher(path).matches() || DOT_SEGMENT.matcher(path).find()) {
            Replies.error(ctx, 400, "not a control API path: '" + Replies.printable(String.valueOf(path), MAX_ECHO)
                    + "' (paths hold letters, digits, '_', '.', '-' and '/', with no empty, '.' or '..' segments)");
            return;
        }
        String refusal = refusal(ctx);
        if (refusal == null) {
            ctx.next();
        } else {
            Replies.error(ctx, 403, refusal);
        }
    }

    /** Why this request is refused, or {@code null}. */
    private String refusal(RoutingContext ctx) {
        HostAndPort authority = ctx.request().authority();
        if (checkHost && authority != null && !allowedHost(authority.host())) {
            return refused("Host", ctx.request().getHeader("Host"), "the control API answers only to localhost, "
                    + "an IP address or " + listenHost + " (a browser on another name may be a DNS rebinding)");
        }
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            return null;
        }
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !sameOrigin(origin, ctx.request().getHeader("Host"))) {
            return refused("Origin", origin, "a web page of another site may not call the control API");
        }
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
            return refused("Sec-Fetch-Site", site, "a web page of another site may not call the control API");
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && SIMPLE_TYPES.contains(mediaType(type))) {
            return refused("Content-Type", type, "a browser sends this type from any web page; send no body "
                    + "and no Content-Type (curl -X POST), or application/json");
        }
        return null;
    }

    private boolean allowedHost(String host) {
        String h = unbracket(host).toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals(listenHost) || IPV4.matcher(h).matches()
                || IPV6.matcher(h).matches();
    }

    private static boolean sameOrigin(String origin, String host) {
        return host != null && origin.equalsIgnoreCase("http://" + host);
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String refused(String header, String value, String why) {
        return "refused: " + header + ": " + Replies.printable(value, MAX_ECHO) + ": " + why;
    }
}
