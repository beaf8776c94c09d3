package dev.healthgate.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as HAProxy writes them: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    /** The longest duration any setting takes: past it a typo, and past ~292 years one that overflows nanoseconds. */
    static final Duration MAX = Duration.ofDays(1);

    private Durations() {
    }

    /** Parses a duration; a bare number is refused because its unit would be a guess. */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (use e.g. 500ms, 2s, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("longer than the longest allowed, 24h");
        }
        return d;
    }

    /** Formats a duration the way HAProxy's config reads it, e.g. {@code 500ms}. */
    public static String haproxy(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
