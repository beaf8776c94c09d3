package dev.healthgate.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Summaries of the requests a {@link LoadGenerator} recorded. */
public final class LoadReport {
    private final List<RequestRecord> records;
    private final long originNanos;

    LoadReport(List<RequestRecord> records, long originNanos) {
        this.records = List.copyOf(records);
        this.originNanos = originNanos;
    }

    public List<RequestRecord> records() {
        return records;
    }

    public int total() {
        return records.size();
    }

    /** Requests that got a non-200 answer or a transport error. */
    public List<RequestRecord> failures() {
        return records.stream().filter(RequestRecord::failed).toList();
    }

    public List<RequestRecord> matching(Predicate<RequestRecord> filter) {
        return records.stream().filter(filter).toList();
    }

    /** How many requests each instance served (by X-Served-By) among those that match {@code filter}. */
    public Map<String, Long> servedBy(Predicate<RequestRecord> filter) {
        Map<String, Long> counts = new TreeMap<>();
        for (RequestRecord r : records) {
            if (filter.test(r) && !r.failed()) {
                counts.merge(Objects.requireNonNullElse(r.servedBy(), "?"), 1L, Long::sum);
            }
        }
        return counts;
    }

    /**
     * A table with one row per {@code window} since the load started: requests per instance, split
     * into non-sticky and sticky clients, and failures. For logs and failure messages.
     */
    public String timeline(Duration window) {
        long w = window.toNanos();
        Map<Long, Map<String, Long>> rows = new TreeMap<>();
        for (RequestRecord r : records) {
            long slot = Math.max(0, (r.startNanos() - originNanos) / w);
            String column = r.failed() ? "FAILED" : (r.sticky() ? "sticky:" : "new:") + r.servedBy();
            rows.computeIfAbsent(slot, k -> new TreeMap<>()).merge(column, 1L, Long::sum);
        }
        StringBuilder out = new StringBuilder();
        rows.forEach((slot, counts) -> out.append(String.format("%7.1f s  %s%n",
                slot * w / 1e9, counts)));
        return out.toString();
    }

    /** Seconds since the load started, for messages that name a moment. */
    public double secondsSinceStart(long nanos) {
        return (nanos - originNanos) / 1e9;
    }

    /** Total, failures, per-instance counts and latency percentiles in a few lines. */
    public String summary() {
        List<Long> latencies = new ArrayList<>();
        records.stream().filter(r -> !r.failed()).forEach(r -> latencies.add(r.latencyNanos()));
        latencies.sort(null);
        return String.format("%d requests, %d failed, %.0f/s; served by %s; latency p50 %.1f ms, p99 %.1f ms, "
                + "max %.1f ms", total(), failures().size(), ratePerSecond(), servedBy(r -> true),
                percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6, percentile(latencies, 1.0) / 1e6);
    }

    /** Requests per second between the first request's start and the last one's. */
    public double ratePerSecond() {
        long first = records.stream().mapToLong(RequestRecord::startNanos).min().orElse(0);
        long last = records.stream().mapToLong(RequestRecord::startNanos).max().orElse(0);
        return last - first <= 0 ? 0 : (records.size() - 1) * 1e9 / (last - first);
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, i));
    }
}
