package dev.healthgate.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When the phases of one cycle happened, in System.nanoTime() terms, from its RESULT (phases with
 * their durations, one after the other, and its startedAt) and bounds on when it started
 * ({@link CycleWatch}, and the answer, which came at least the sum of the phases later). {@link #surely} gives the moments that
 * lie inside the asked phases wherever in those bounds the cycle started.
 */
public final class CycleTiming {
    /** How far healthgate's startedAt may be from the cycle's start as this JVM's clocks see it. */
    private static final long CLOCK_SLACK_NANOS = 5_000_000;
    private final long earliestStartNanos;
    private final long latestStartNanos;
    private final List<String> names = new ArrayList<>();
    private final List<Long> millis = new ArrayList<>();

    /**
     * @param start bounds on the cycle's start
     * @param answeredNanos when the caller had the RESULT (the cycle ended before)
     */
    public CycleTiming(JsonObject result, CycleWatch.StartBounds start, long answeredNanos) {
        JsonArray phases = result.getJsonArray("phases");
        if (phases == null) {
            throw new AssertionError("RESULT has no phases: " + result.encode());
        }
        for (int i = 0; i < phases.size(); i++) {
            JsonObject p = phases.getJsonObject(i);
            names.add(p.getString("name"));
            millis.add(p.getLong("ms"));
        }
        long sum = millis.stream().mapToLong(Long::longValue).sum();
        long earliest = start.earliestNanos();
        long latest = Math.min(start.latestNanos(), answeredNanos - sum * 1_000_000);
        // healthgate's own startedAt (wall clock, same machine) pins the start to a few ms where polling,
        // slowed by a loaded machine, only bounds it to a second or more
        String startedAt = result.getString("startedAt");
        if (startedAt != null) {
            long at = toNanoTime(Instant.parse(startedAt));
            long from = Math.max(earliest, at - CLOCK_SLACK_NANOS);
            long to = Math.min(latest, at + CLOCK_SLACK_NANOS);
            if (from <= to) {
                earliest = from;
                latest = to;
            }
        }
        this.earliestStartNanos = earliest;
        this.latestStartNanos = latest;
    }

    /** A wall-clock instant in System.nanoTime() terms: the two clocks' offset, read now. */
    private static long toNanoTime(Instant wall) {
        Instant now = Instant.now();
        long nanoNow = System.nanoTime();
        return nanoNow - Duration.between(wall, now).toNanos();
    }

    /** A span of System.nanoTime() values; empty when {@code to <= from}. */
    public record Window(long fromNanos, long toNanos) {
        public boolean isEmpty() {
            return toNanos - fromNanos <= 0;
        }

        public long millis() {
            return Math.max(0, (toNanos - fromNanos) / 1_000_000);
        }

        /** Shrinks the window by {@code millis} at both ends. */
        public Window inset(long millis) {
            return new Window(fromNanos + millis * 1_000_000, toNanos - millis * 1_000_000);
        }

        public boolean contains(RequestRecord r) {
            return r.startedBetween(fromNanos, toNanos);
        }
    }

    public List<String> phaseNames() {
        return List.copyOf(names);
    }

    /**
     * The moments that surely lie between the start of phase {@code first} and the end of phase
     * {@code last} (inclusive).
     */
    public Window surely(String first, String last) {
        int a = index(first);
        int b = index(last);
        long beginA = millis.subList(0, a).stream().mapToLong(Long::longValue).sum();
        long endB = millis.subList(0, b + 1).stream().mapToLong(Long::longValue).sum();
        return new Window(latestStartNanos + beginA * 1_000_000, earliestStartNanos + endB * 1_000_000);
    }

    private int index(String phase) {
        int i = names.indexOf(phase);
        if (i < 0) {
            throw new AssertionError("the cycle has no phase '" + phase + "'; its phases: " + names);
        }
        return i;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format("started within %d ms: ",
                (latestStartNanos - earliestStartNanos) / 1_000_000));
        for (int i = 0; i < names.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(names.get(i)).append(' ').append(millis.get(i)).append(" ms");
        }
        return s.toString();
    }
}
