package dev.healthgate.observe;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code X-Haproxy-Server-State} header (HAProxy's {@code http-check send-state}): HAProxy's own
 * view of one server line on one load balancer node, as it was when it sent the check, e.g.
 * {@code UP 1/2; address=10.0.0.5; port=8001; name=app/web1; node=lb1; weight=1/2; scur=3/9; qcur=0}.
 *
 * <p>{@code UP x/fall} means going down: x more failed checks mark it DOWN. {@code DOWN x/rise} means
 * going up: x good checks done of the rise needed. Plain {@code UP}/{@code DOWN} are settled; NOLB is
 * UP but excluded from load balancing (a 404 under {@code disable-on-404}, or DRAIN).
 *
 * @param status   UP, DOWN, NOLB, or "no check"
 * @param count    the x of {@code x/y}, or -1 when settled
 * @param of       the y of {@code x/y}, or -1 when settled
 * @param backend  the backend name
 * @param server   the server line name
 * @param node     HAProxy's {@code node} name (default: its host name)
 * @param scur     current sessions on this server line
 * @param qcur     requests queued for it
 */
public record ServerState(String status, int count, int of, String backend, String server, String node,
        int scur, int qcur) {

    private static final Pattern HEAD = Pattern.compile("(UP|DOWN|NOLB|no check)(?: (\\d+)/(\\d+))?");

    /** Parses the header; throws IllegalArgumentException naming what is malformed. */
    public static ServerState parse(String header) {
        String[] parts = header.split(";");
        Matcher m = HEAD.matcher(parts[0].trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown server state '" + parts[0].trim() + "'");
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0) {
                fields.put(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        String name = fields.get("name");
        if (name == null || !name.contains("/")) {
            throw new IllegalArgumentException("no name=backend/server in '" + header + "'");
        }
        return new ServerState(m.group(1),
                m.group(2) == null ? -1 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? -1 : Integer.parseInt(m.group(3)),
                name.substring(0, name.indexOf('/')),
                name.substring(name.indexOf('/') + 1),
                fields.getOrDefault("node", ""),
                firstNumber(fields.get("scur")),
                firstNumber(fields.get("qcur")));
    }

    private static int firstNumber(String v) {
        if (v == null) {
            return 0;
        }
        int slash = v.indexOf('/');
        try {
            return Integer.parseInt(slash < 0 ? v : v.substring(0, slash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether HAProxy sends no new clients to this line (DOWN or NOLB) at the time of the check. */
    public boolean isOut() {
        return status.equals("DOWN") || status.equals("NOLB");
    }

    /**
     * Whether the line is DOWN once HAProxy reads our answer to this check: already DOWN, or failing
     * this check is the last failure it takes ({@code fall} reached).
     *
     * @param failing whether our answer is a failed check
     * @param fall    HAProxy's {@code fall}: a settled UP carries no count, so one failure ends it only if 1
     */
    public boolean downAfter(boolean failing, int fall) {
        if (status.equals("DOWN")) {
            return true;
        }
        if (!failing || !(status.equals("UP") || status.equals("NOLB"))) {
            return false;
        }
        return count < 0 ? fall == 1 : count == 1;
    }

    /**
     * Whether the line is UP once HAProxy reads our good answer to this check.
     *
     * @param rise HAProxy's {@code rise}: a settled DOWN carries no count, so one success lifts it only if 1
     */
    public boolean inAfter(int rise) {
        if (status.equals("UP") || status.equals("NOLB")) {
            return true; // UP stays (a going-down count heals); 2xx puts a NOLB server back at once
        }
        if (status.equals("DOWN")) {
            return count < 0 ? rise == 1 : count + 1 >= rise;
        }
        return false;
    }
}
