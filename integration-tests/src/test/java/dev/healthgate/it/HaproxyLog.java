package dev.healthgate.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request lines of HAProxy's log ({@code option httplog}, {@code log stdout format raw}), as
 * HAProxy itself saw each request: which server answered, the status, and how often HAProxy retried
 * the connection and whether it redispatched the request to another server. A client never sees a
 * retry or a redispatch (it only waits longer), so zero loss is judged on these counts too.
 */
public final class HaproxyLog {
    /**
     * {@code CLIENT [DATE] FRONTEND BACKEND/SERVER TR/Tw/Tc/Tr/Ta STATUS BYTES CC CS TSC
     * ac/fc/bc/sc/rc sq/bq "REQUEST"}; {@code rc} (retries) is prefixed with {@code +} when the
     * request was redispatched.
     */
    private static final Pattern REQUEST = Pattern.compile(
            "^\\S+ \\[[^\\]]+\\] (\\S+) ([^/\\s]+)/(\\S+) -?\\d+/-?\\d+/-?\\d+/-?\\d+/\\+?-?\\d+ (-?\\d+) \\S+ \\S+ \\S+ "
                    + "(\\S{4}) \\d+/\\d+/\\d+/\\d+/(\\+?)(\\d+) \\d+/\\d+ \"(.*)\"$");

    /** One request as HAProxy logged it. */
    public record Request(String backend, String server, int status, String termination, int retries,
            boolean redispatched, String requestLine) {

        public boolean retried() {
            return retries > 0;
        }

        @Override
        public String toString() {
            return String.format("%s/%s %d %s retries=%d%s \"%s\"", backend, server, status, termination, retries,
                    redispatched ? " redispatched" : "", requestLine);
        }
    }

    private final List<Request> requests;

    private HaproxyLog(List<Request> requests) {
        this.requests = List.copyOf(requests);
    }

    /** Parses the request lines of {@code log}; other lines (server state changes, alerts) are skipped. */
    public static HaproxyLog parse(String log) {
        List<Request> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            Matcher m = REQUEST.matcher(line.strip());
            if (m.matches()) {
                out.add(new Request(m.group(2), m.group(3), Integer.parseInt(m.group(4)), m.group(5),
                        Integer.parseInt(m.group(7)), !m.group(6).isEmpty(), m.group(8)));
            }
        }
        return new HaproxyLog(out);
    }

    public List<Request> requests() {
        return requests;
    }

    /** Requests HAProxy sent more than one connection attempt for, or moved to another server. */
    public List<Request> retriedOrRedispatched() {
        return requests.stream().filter(r -> r.retried() || r.redispatched()).toList();
    }

    /** Requests HAProxy answered with anything but 200 (its own 503 included). */
    public List<Request> notOk() {
        return requests.stream().filter(r -> r.status() != 200).toList();
    }

    /** "N requests, R retried, D redispatched, E not 200". */
    public String summary() {
        return String.format("%d requests, %d retried, %d redispatched, %d not 200", requests.size(),
                requests.stream().filter(Request::retried).count(),
                requests.stream().filter(Request::redispatched).count(), notOk().size());
    }
}
