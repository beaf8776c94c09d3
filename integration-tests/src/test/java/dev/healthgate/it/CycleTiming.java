package dev.healthgate.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * When the phases of one cycle happened, in System.nanoTime() terms, from its RESULT (phases with
 * their durations, one after the other) and bounds on when it started ({@link CycleWatch}, and the
 * answer, which came at least the sum of the phases later). {@link #surely} gives the moments that
 * lie inside the asked phases wherever in those bounds the cycle started.
 */
public final class CycleTiming {
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
        this.earliestStartNanos = start.earliestNanos();
        this.latestStartNanos = Math.min(start.latestNanos(), answeredNanos - sum * 1_000_000);
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
