package dev.healthgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code haproxy.sources}: the addresses HAProxy's checks may come from, as IP addresses or CIDR ranges
 * ({@code 10.0.0.0/24}, {@code 2001:db8::/64}). A connection to a status or agent port from anywhere else
 * is closed without an answer and never counts as a load balancer node. Empty: every source is accepted
 * (what healthgate did before the key existed).
 */
public final class SourceAddresses {

    /** Only IP literals: a host name here would mean a DNS lookup per config load and a moving target. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    /** Every source is accepted. */
    public static final SourceAddresses ANY = new SourceAddresses(List.of(), List.of());

    private final List<String> texts;
    private final List<Range> ranges;

    private record Range(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private SourceAddresses(List<String> texts, List<Range> ranges) {
        this.texts = List.copyOf(texts);
        this.ranges = List.copyOf(ranges);
    }

    /** Parses the list; a bad entry throws a {@link ConfigException} naming {@code path} and the entry. */
    public static SourceAddresses parse(String path, List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(range(path, entry.trim()));
        }
        return new SourceAddresses(entries, ranges);
    }

    private static Range range(String path, String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash);
        byte[] address = literal(host);
        if (address == null) {
            throw ConfigException.at(path, entry, "must be an IP address or CIDR range (e.g. 10.0.0.7, "
                    + "10.0.0.0/24, 2001:db8::/64), not a host name");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw ConfigException.at(path, entry, "the prefix length after '/' must be 0-" + bits);
            }
        }
        return new Range(address, prefix);
    }

    /** The address bytes of an IP literal (IPv4-mapped IPv6 as IPv4), or null if it is not one. */
    static byte[] literal(String text) {
        if (text.isEmpty() || !LITERAL.matcher(text).matches() || (!text.contains(":")
                && text.chars().filter(c -> c == '.').count() != 3)) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether every source is accepted. */
    public boolean acceptsAny() {
        return ranges.isEmpty();
    }

    /**
     * Whether a connection from {@code hostAddress} (an IP literal as the socket reports it) is accepted.
     * Not a literal: refused.
     */
    public boolean accepts(String hostAddress) {
        if (ranges.isEmpty()) {
            return true;
        }
        String plain = hostAddress.startsWith("[") ? hostAddress.substring(1, hostAddress.length() - 1) : hostAddress;
        int zone = plain.indexOf('%');
        byte[] address = literal(zone < 0 ? plain : plain.substring(0, zone));
        return address != null && ranges.stream().anyMatch(r -> r.contains(address));
    }

    /** Equal when written the same: configs are compared whole (e.g. a reloaded file against the running one). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SourceAddresses other && texts.equals(other.texts);
    }

    @Override
    public int hashCode() {
        return texts.hashCode();
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "any" : String.join(", ", texts);
    }
}
